namespace Notifiche.Contracts;

/// <summary>A provider accepted the notification for one channel. No personal data.</summary>
public record NotificationSent
{
    public required Guid NoticeId { get; init; }
    public required string Channel { get; init; }
    public string? ProviderMessageId { get; init; }
    public required DateTimeOffset SentAt { get; init; }
}
