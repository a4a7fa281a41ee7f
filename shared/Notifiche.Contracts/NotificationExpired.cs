namespace Notifiche.Contracts;

/// <summary>The notice's time to live passed before it could be sent on this channel.</summary>
public record NotificationExpired
{
    public required Guid NoticeId { get; init; }
    public required string Channel { get; init; }
    public required DateTimeOffset ExpiredAt { get; init; }
}
