namespace Notifiche.Contracts;

/// <summary>
/// The push provider said a device token is no longer valid (UNREGISTERED, INVALID_ARGUMENT): Preferences removes
/// it from whichever profile holds it. Consumed only by Preferences (the token is personal data).
/// </summary>
public record PushTokenRejected
{
    public required Guid NoticeId { get; init; }
    public required string DeviceToken { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset RejectedAt { get; init; }
}
