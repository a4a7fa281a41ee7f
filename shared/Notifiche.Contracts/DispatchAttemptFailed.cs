namespace Notifiche.Contracts;

/// <summary>
/// One attempt to dispatch a notice on a channel failed transiently and will be retried (the final outcome follows as
/// <see cref="NotificationSent"/>, <see cref="NotificationFailed"/> or a fault). The reason carries codes, never an address.
/// </summary>
public record DispatchAttemptFailed
{
    public required Guid NoticeId { get; init; }
    public required string Channel { get; init; }
    /// <summary>1 for the first attempt.</summary>
    public required int Attempt { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset FailedAt { get; init; }
}
