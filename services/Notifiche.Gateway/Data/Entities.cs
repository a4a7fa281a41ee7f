namespace Notifiche.Gateway.Data;

/// <summary>A sending service of the registry (the census): who it is and which channels it may use (governance fields in ServiceRecord.Governance.cs).</summary>
public partial class ServiceRecord
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string OrganizationName { get; set; }
    public List<string> AllowedChannels { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An API key of a service; only the SHA-256 of the secret is stored.</summary>
public class ApiKey
{
    public Guid Id { get; set; }
    public required string ServiceId { get; set; }
    public required string KeyHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>After this instant the key no longer authenticates; null: until revoked.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

public class Notice
{
    public Guid Id { get; set; }
    public required string ServiceId { get; set; }
    public required string FiscalCode { get; set; }
    /// <summary>Null once the content was deleted at the end of its retention (<see cref="ContentDeletedAt"/>).</summary>
    public string? Subject { get; set; }
    public string? Markdown { get; set; }
    public DateOnly? DueDate { get; set; }
    public string? Category { get; set; }
    public string? DefaultEmail { get; set; }
    public int TimeToLiveSeconds { get; set; }
    public DateTimeOffset AcceptedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public required string ContentSha256 { get; set; }
    public string Status { get; set; } = NoticeStatus.Accepted;
    public string? RejectionReason { get; set; }
    public string? StatusDetail { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
    /// <summary>When the re-drive last submitted the notice again to routing because it stayed ACCEPTED too long.</summary>
    public DateTimeOffset? RedrivenAt { get; set; }
    public List<NoticeChannel> Channels { get; set; } = [];
    /// <summary>Channels the gateway withheld from routing (e.g. SMS over the service's monthly budget).</summary>
    public List<NoticeOmission> Omissions { get; set; } = [];
    /// <summary>The citizen allows the sending service to see <see cref="ReadAt"/> (decided by routing from the profile).</summary>
    public bool ReadReceipts { get; set; }
    /// <summary>When the citizen first read the notice in the inbox.</summary>
    public DateTimeOffset? ReadAt { get; set; }
    public DateTimeOffset? ArchivedAt { get; set; }
    /// <summary>When the retention job deleted the content (subject, Markdown, due date); status and audit stay.</summary>
    public DateTimeOffset? ContentDeletedAt { get; set; }
}

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
    public const string DispatchAttemptFailed = "dispatch_attempt_failed";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Expired = "expired";
    public const string Read = "read";
    public const string CallbackDelivered = "callback_delivered";
    public const string CallbackFailed = "callback_failed";
    public const string ContentDeleted = "content_deleted";
}

/// <summary>A service's status callback: where the gateway POSTs status changes, and the secret it signs them with.</summary>
public class StatusCallback
{
    public required string ServiceId { get; set; }
    public required string Url { get; set; }
    /// <summary>Kept as given: HMAC needs the secret itself (unlike API keys, which are only compared).</summary>
    public required string Secret { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Delivery status of a notice on one channel.</summary>
public class NoticeChannel
{
    /// <summary>Length of the <c>failure_reason</c> column: a longer reason (a provider's whole answer) is cut to it.</summary>
    public const int FailureReasonMaxLength = 500;

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
}

/// <summary>A message committed with the business change it announces, published by the relay afterwards.</summary>
public class OutboxMessage
{
    public long Id { get; set; }
    public required string MessageType { get; set; }
    public required string Payload { get; set; }
    /// <summary>W3C traceparent of the request that wrote it, so the trace continues through the relay.</summary>
    public string? TraceParent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class NoticeStatus
{
    public const string Accepted = "ACCEPTED";
    public const string Processed = "PROCESSED";
    public const string Rejected = "REJECTED";
}

public static class ChannelStatus
{
    public const string Pending = "PENDING";
    public const string Sent = "SENT";
    public const string Throttled = "THROTTLED";
    public const string Failed = "FAILED";
    /// <summary>
    /// SENT and EXPIRED are final and FAILED yields only to SENT, so late or redelivered events cannot move a status backwards.
    /// </summary>
    public const string Expired = "EXPIRED";
}

/// <summary>What the owning service sees of the citizen's reading (<c>read_status</c>).</summary>
public static class ReadStatus
{
    public const string Read = "READ";
    public const string Unread = "UNREAD";
    /// <summary>The citizen did not allow read receipts for this service.</summary>
    public const string Unavailable = "UNAVAILABLE";
}

/// <summary>An <c>Idempotency-Key</c> a service sent with a notice: a retry with the same key and body gets the same notice.</summary>
public class IdempotencyKey
{
    public required string ServiceId { get; set; }
    public required string Key { get; set; }
    /// <summary>SHA-256 of the normalised request, to tell a retry from a different request reusing the key.</summary>
    public required string RequestSha256 { get; set; }
    public Guid NoticeId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Text from outside (a provider's message, an exception) cut to the length of the column that stores it.</summary>
public static class ColumnText
{
    public static string? Cut(string? text, int maxLength)
    {
        if (text is null || text.Length <= maxLength)
        {
            return text;
        }

        // Never keep half of a surrogate pair: PostgreSQL refuses the invalid UTF-16 it would become.
        var length = char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength;
        return text[..length];
    }
}
