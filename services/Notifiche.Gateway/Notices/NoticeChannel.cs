namespace Notifiche.Gateway.Notices;

/// <summary>Delivery status of a notice on one channel.</summary>
public class NoticeChannel
{
    /// <summary>Length of the <c>failure_reason</c> column: a longer reason (a provider's whole answer) is cut to it.</summary>
    public const int FailureReasonMaxLength = 500;

    /// <summary>
    /// Length of the <c>provider_message_id</c> column: as long as the dispatch ledger's, so that every id a dispatcher
    /// recorded fits (at 200 a longer one failed the status update on every redelivery).
    /// </summary>
    public const int ProviderMessageIdMaxLength = 512;

    public Guid NoticeId { get; set; }
    public required string Channel { get; set; }
    public string Status { get; set; } = ChannelStatus.Pending;
    public DateTimeOffset UpdatedAt { get; set; }
    public string? ProviderMessageId { get; set; }
    public string? FailureReason { get; set; }
    /// <summary>SMS only: segments billed, from <c>NotificationSent</c> (the census and the SMS budget read it).</summary>
    public int? Segments { get; set; }
    /// <summary>SMS only: cost in euro, from <c>NotificationSent</c>.</summary>
    public decimal? CostEuro { get; set; }
    /// <summary>
    /// Held back by the citizen's quiet hours: routing sends the channel's command at this time (the next allowed minute).
    /// Kept after the channel's outcome, so the status still shows that it was deferred.
    /// </summary>
    public DateTimeOffset? DeferredUntil { get; set; }
}

public static class ChannelStatus
{
    public const string Pending = "PENDING";
    public const string Sent = "SENT";
    public const string Throttled = "THROTTLED";
    /// <summary>Held back by the citizen's quiet hours until <see cref="NoticeChannel.DeferredUntil"/>; then PENDING's successors as usual.</summary>
    public const string Deferred = "DEFERRED";
    public const string Failed = "FAILED";
    /// <summary>
    /// SENT and EXPIRED are final and FAILED yields only to SENT, so late or redelivered events cannot move a status backwards.
    /// </summary>
    public const string Expired = "EXPIRED";

    /// <summary>No dispatch of the channel is left to come (FAILED may still become SENT by a replayed dead letter, which carries its address).</summary>
    public static bool IsFinal(string status) => status is Sent or Failed or Expired;
}
