namespace Notifiche.Gateway.Audit;

/// <summary>
/// One entry of a notice's audit trail: append-only, written in the same transaction as the change it records,
/// never with personal data in <see cref="Detail"/>.
/// </summary>
public class NoticeEvent
{
    /// <summary>Position in the platform-wide append order.</summary>
    public long Sequence { get; set; }
    public Guid NoticeId { get; set; }
    public required string Type { get; set; }
    public string? Channel { get; set; }
    public string? Detail { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>Event types of the audit trail.</summary>
public static class NoticeEventTypes
{
    public const string Accepted = "accepted";
    public const string Routed = "routed";
    public const string Rejected = "rejected";
    /// <summary>Routing holds the notice until the citizen registers; the detail says until when at most.</summary>
    public const string Held = "held";
    public const string DispatchAttemptFailed = "dispatch_attempt_failed";
    /// <summary>A channel held back by the citizen's quiet hours; the detail says until when.</summary>
    public const string Deferred = "deferred";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Expired = "expired";
    public const string Read = "read";
    public const string CallbackDelivered = "callback_delivered";
    public const string CallbackFailed = "callback_failed";
    public const string ContentDeleted = "content_deleted";
    /// <summary>The service resolved the notice (<c>POST …/resolve</c>); the detail names what it cancelled.</summary>
    public const string Resolved = "resolved";
    /// <summary>A scheduled notice or pending reminder cancelled by <see cref="Resolved"/>.</summary>
    public const string Cancelled = "cancelled";
    /// <summary>
    /// An escalation step's time came: on the notice and on the step, the detail says the step and its outcome (routed to
    /// its channels, skipped because read, skipped for the SMS budget).
    /// </summary>
    public const string Escalation = "escalation";
}
