namespace Notifiche.Contracts;

/// <summary>
/// Delivery on one channel failed. <see cref="Permanent"/> failures (invalid mailbox, 5xx reply) are final;
/// the reason never contains the address or the content.
/// </summary>
public record NotificationFailed
{
    public required Guid NoticeId { get; init; }
    public required string Channel { get; init; }
    public required bool Permanent { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset FailedAt { get; init; }
}
