namespace Notifiche.Gateway.Notices;

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
    /// <summary>
    /// Scheduled send: the notice is routed from this time on (its <c>NoticeSubmitted</c> waits in the outbox until then).
    /// Null: routed at once.
    /// </summary>
    public DateTimeOffset? SendAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>Sent as urgent by a service allowed to: routing ignores the citizen's quiet hours.</summary>
    public bool Urgent { get; set; }
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
    /// <summary>
    /// Sent with a test key (<see cref="Registry.KeyTypes.Test"/>): never routed nor dispatched, never in the citizen's inbox;
    /// its delivery is simulated (<see cref="TestNotices"/>).
    /// </summary>
    public bool Test { get; set; }
    /// <summary>The sending service's own id for the notice (issue 18, point 4); not unique, listed by.</summary>
    public string? Reference { get; set; }
    /// <summary>The protocol number the administration registered the notice's act under, with <see cref="ProtocolDate"/>.</summary>
    public string? ProtocolNumber { get; set; }
    public DateOnly? ProtocolDate { get; set; }
    /// <summary>
    /// SMS segments reserved for the notice in its service's monthly budget (<see cref="Governance.SmsBudget"/>) and not yet
    /// settled; null once settled (SMS final, or none planned) or when nothing was reserved.
    /// </summary>
    public int? SmsReservedSegments { get; set; }
    /// <summary>The month (its first day) of <see cref="SmsReservedSegments"/>'s budget row.</summary>
    public DateOnly? SmsBudgetMonth { get; set; }
    /// <summary>Sent from this template (issue 18 point 5), rendered from this version of it; null for a notice with its own content.</summary>
    public Guid? TemplateId { get; set; }
    public int? TemplateVersion { get; set; }
    /// <summary>
    /// The language of the <see cref="Variants"/> entry routing sent to the citizen (their profile's); null while not routed,
    /// or when the notice's own (Italian) content was sent.
    /// </summary>
    public string? ContentLanguage { get; set; }
    /// <summary>A template notice's content in the template's other languages, rendered at acceptance.</summary>
    public List<NoticeVariant> Variants { get; set; } = [];
    /// <summary>
    /// A due-date reminder (issue 17, point 4) is a notice row of its own — its own id, channels, statuses and audit trail,
    /// its <see cref="SendAt"/> the reminder's time — pointing at the notice it reminds of. It is never an inbox entry nor
    /// listed: the citizen has the one notice, the service sees the reminders in that notice's status.
    /// </summary>
    public Guid? ReminderOf { get; set; }
    /// <summary>The reminder's ISO-8601 duration before the due date, as the service wrote it (e.g. <c>P7D</c>).</summary>
    public string? ReminderBefore { get; set; }
    /// <summary>When the service said the matter is settled (<c>POST …/resolve</c>): pending reminders were cancelled then.</summary>
    public DateTimeOffset? ResolvedAt { get; set; }
    /// <summary>
    /// An escalation step (issue 17, point 5) is a notice row of its own, like a reminder — its own id, channels, statuses
    /// and audit trail, its <see cref="SendAt"/> the step's time, never an inbox entry nor listed — pointing at the notice it
    /// escalates. At its time <see cref="EscalationStepRunner"/> routes it to <see cref="EscalationChannels"/> only if that
    /// notice is still unread.
    /// </summary>
    public Guid? EscalationOf { get; set; }
    /// <summary>On a notice with escalation: how many steps it has (so its status looks for them only then).</summary>
    public int? EscalationSteps { get; set; }
    /// <summary>The step's position (1, 2, 3) in the notice's escalation.</summary>
    public int? EscalationStep { get; set; }
    /// <summary>The step's ISO-8601 duration after the notice's delivery, as the service wrote it (e.g. <c>PT48H</c>).</summary>
    public string? EscalationAfter { get; set; }
    /// <summary>The step's channels: routing may plan no other.</summary>
    public List<string>? EscalationChannels { get; set; }
    /// <summary>What the step's time decided (<see cref="EscalationOutcomes"/>: DONE, SKIPPED_READ, SKIPPED_SMS_BUDGET); null until then.</summary>
    public string? EscalationOutcome { get; set; }
    /// <summary>The service marked the notice sensitive: the channels carry no subject or content, only the inbox does.</summary>
    public bool Sensitive { get; set; }
    /// <summary>
    /// Held until registered (issue 17 point 6): while the citizen has no profile routing holds the notice (<see cref="NoticeStatus.Held"/>)
    /// instead of rejecting it; it is routed when the profile is created, or <see cref="NoticeStatus.Expired"/>.
    /// </summary>
    public bool HoldUntilRegistered { get; set; }
}

public static class NoticeStatus
{
    /// <summary>The status a service sees: <see cref="Scheduled"/> for an accepted notice not due yet.</summary>
    public static string Shown(Notice notice, DateTimeOffset now) =>
        notice.Status == Accepted && notice.SendAt > now ? Scheduled : notice.Status;

    public const string Accepted = "ACCEPTED";
    /// <summary>
    /// Shown, never stored: an ACCEPTED notice whose <see cref="Notice.SendAt"/> is still ahead (status API, and the status
    /// callback at acceptance). Stored as ACCEPTED, so routing, the re-drive and the status updates treat it as any other.
    /// </summary>
    public const string Scheduled = "SCHEDULED";
    public const string Processed = "PROCESSED";
    public const string Rejected = "REJECTED";
    /// <summary>
    /// Final: a scheduled notice or a pending reminder cancelled by <c>resolve</c> before it was due; never routed, never
    /// in the inbox.
    /// </summary>
    public const string Cancelled = "CANCELLED";
    /// <summary>
    /// Routing holds the notice until the citizen's profile is created (<see cref="Notice.HoldUntilRegistered"/>): not final;
    /// it becomes PROCESSED (or REJECTED) when routed then, or <see cref="Expired"/>.
    /// </summary>
    public const string Held = "HELD";
    /// <summary>Final: a held notice's time to live ended before the citizen registered; never sent, in no inbox.</summary>
    public const string Expired = "EXPIRED";

    /// <summary>Not routed yet: routing has not decided (ACCEPTED) or holds it (HELD); no channel can have an outcome.</summary>
    public static bool Unrouted(string status) => status is Accepted or Held;
    /// <summary>
    /// Final: an escalation step whose time came when the notice was already read, or whose only channel left was SMS over
    /// the monthly budget; never routed (the step's <see cref="Notice.EscalationOutcome"/> says which).
    /// </summary>
    public const string Skipped = "SKIPPED";
}

/// <summary>What the owning service sees of the citizen's reading (<c>read_status</c>).</summary>
public static class ReadStatus
{
    public const string Read = "READ";
    public const string Unread = "UNREAD";
    /// <summary>The citizen did not allow read receipts for this service.</summary>
    public const string Unavailable = "UNAVAILABLE";
}
