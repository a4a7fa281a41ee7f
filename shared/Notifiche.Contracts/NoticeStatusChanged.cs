namespace Notifiche.Contracts;

/// <summary>
/// A notice's status (<see cref="Channel"/> null) or one channel's status changed, as the gateway stored it:
/// ACCEPTED, PROCESSED, REJECTED, READ for the notice; THROTTLED, SENT, FAILED, EXPIRED for a channel.
/// Drives the services' status callbacks. No personal data.
/// </summary>
public record NoticeStatusChanged
{
    public required Guid NoticeId { get; init; }
    public required string ServiceId { get; init; }
    public string? Channel { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
}
