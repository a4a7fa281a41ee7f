namespace Notifiche.Contracts;

/// <summary>A provider accepted the notification for one channel. No personal data.</summary>
public record NotificationSent
{
    public required Guid NoticeId { get; init; }
    public required string Channel { get; init; }
    public string? ProviderMessageId { get; init; }
    public required DateTimeOffset SentAt { get; init; }
    /// <summary>SMS only: message segments billed by the provider.</summary>
    public int? Segments { get; init; }
    /// <summary>SMS only: segments × configured price per segment, in euro.</summary>
    public decimal? CostEuro { get; init; }
}
