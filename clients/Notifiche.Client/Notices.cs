namespace Notifiche.Client;

/// <summary>A courtesy notice for one citizen (<c>POST /api/v1/notices</c>).</summary>
/// <param name="FiscalCode">The citizen's codice fiscale.</param>
/// <param name="Content">Subject and Markdown body; null for a notice sent from a template (<see cref="FromTemplate"/>).</param>
public sealed record NewNotice(string FiscalCode, NoticeContent? Content)
{
    /// <summary>
    /// A notice rendered from one of your templates: <paramref name="personalisation"/> has a value for each of its
    /// placeholders; the citizen gets their profile's language when the template has it, Italian otherwise.
    /// </summary>
    public static NewNotice FromTemplate(string fiscalCode, Guid templateId, IReadOnlyDictionary<string, string> personalisation) =>
        new(fiscalCode, null) { TemplateId = templateId, Personalisation = personalisation };

    /// <summary>One of your templates (<see cref="NotificheClient.CreateTemplateAsync"/>), instead of <see cref="Content"/>.</summary>
    public Guid? TemplateId { get; init; }

    /// <summary>With <see cref="TemplateId"/>: a value (at most 500 characters, one line) for each placeholder of the template.</summary>
    public IReadOnlyDictionary<string, string>? Personalisation { get; init; }

    /// <summary>Seconds the notice may wait for delivery before its channels expire; the platform's default (7 days) when null.</summary>
    public int? TimeToLive { get; init; }

    /// <summary>Used only when the citizen has no profile.</summary>
    public DefaultAddresses? DefaultAddresses { get; init; }

    /// <summary>One of the notice categories declared in the service's census.</summary>
    public string? Category { get; init; }

    /// <summary>Your own id for the notice (1-128 characters, not unique; never personal data): returned in status, events and callbacks, and a filter of <see cref="NotificheClient.ListNoticesAsync"/>.</summary>
    public string? Reference { get; init; }

    /// <summary>The protocol number and date the act was registered under.</summary>
    public Protocol? Protocol { get; init; }

    /// <summary>Scheduled send (with its offset), at most 30 days ahead: the notice is SCHEDULED until then; null: delivered now.</summary>
    public DateTimeOffset? SendAt { get; init; }

    // Urgent, Sensitive and HoldUntilRegistered are nullable so that a notice without them sends none: the API refuses members it does not know.

    /// <summary>Delivered at once on every channel, also in the citizen's quiet hours; only for a service given the urgent permission (else 403 naming <c>urgent</c>).</summary>
    public bool? Urgent { get; init; }

    /// <summary>
    /// Due-date reminders: ISO-8601 durations (<c>P7D</c>, <c>P1D</c>, <c>PT12H</c>) before <see cref="NoticeContent.DueDate"/>, counted
    /// back from 09:00 Europe/Rome on that day; at most 5, none past, before <see cref="SendAt"/> or after the due date (the
    /// platform checks them: 400 naming <c>reminders[i]</c>). Each is listed in <see cref="NoticeStatus.Reminders"/>;
    /// <see cref="NotificheClient.ResolveNoticeAsync"/> cancels those still pending.
    /// </summary>
    public IReadOnlyList<string>? Reminders { get; init; }

    /// <summary>Sensitive (a test result, a tax assessment): the channels say only that a notice is waiting in the inbox, no subject or content.</summary>
    public bool? Sensitive { get; init; }

    /// <summary>
    /// Hold until registered: while the citizen has no profile the notice is HELD instead of REJECTED / USER_NOT_FOUND, routed
    /// when the profile is created, EXPIRED when its time to live ends first. Ignored when <see cref="DefaultAddresses"/> has an email.
    /// </summary>
    public bool? HoldUntilRegistered { get; init; }

    /// <summary>
    /// Escalation when unread: at most 3 steps, in increasing order, each before the time to live ends, on channels your
    /// service may use (the platform checks them: 400 naming <c>escalation[i].after</c> or <c>escalation[i].channels</c>).
    /// The first delivery goes to the free channels; each step runs only if the citizen has not read the notice by then.
    /// Listed with its outcome in <see cref="NoticeStatus.Escalation"/>; null sends no member.
    /// </summary>
    public IReadOnlyList<EscalationStep>? Escalation { get; init; }
}

/// <param name="After">ISO-8601 duration after the notice's delivery (<c>PT48H</c>, <c>P5D</c>).</param>
/// <param name="Channels"><c>email</c>, <c>sms</c>, <c>push</c>, <c>telegram</c>.</param>
public sealed record EscalationStep(string After, IReadOnlyList<string> Channels);

/// <param name="Number">As registered, 1-64 characters.</param>
/// <param name="Date">The registration date.</param>
public sealed record Protocol(string Number, DateOnly Date);

/// <param name="Subject">No control characters, no bidirectional marks.</param>
/// <param name="Markdown">CommonMark; raw HTML is shown as text.</param>
public sealed record NoticeContent(string Subject, string Markdown)
{
    public DateOnly? DueDate { get; init; }
}

public sealed record DefaultAddresses(string? Email);

/// <summary>The answer to a submission.</summary>
/// <param name="Id">The notice id (also in <c>Location</c>).</param>
/// <param name="Replayed">True when the gateway recognised the idempotency key and returned the notice it accepted earlier (200, <c>Idempotent-Replayed</c>).</param>
/// <param name="IdempotencyKey">The key the call was made with (generated when the caller gave none): keep it to retry later.</param>
public sealed record SubmittedNotice(Guid Id, bool Replayed, string IdempotencyKey);

/// <summary>
/// A notice's status, per channel (<c>GET /api/v1/notices/{id}</c>); no personal data. <see cref="Status"/> is SCHEDULED,
/// ACCEPTED, HELD (held until the citizen registers), PROCESSED, REJECTED, CANCELLED (resolved while still scheduled, never
/// delivered), EXPIRED (held until its time to live ended, never delivered) or SKIPPED (an escalation step whose time
/// found the notice read, or the SMS budget spent).
/// </summary>
public sealed record NoticeStatus(
    Guid Id,
    string Status,
    string? RejectionReason,
    string? StatusDetail,
    string? Category,
    DateTimeOffset AcceptedAt,
    DateTimeOffset? ProcessedAt,
    DateTimeOffset ExpiresAt,
    string ContentSha256,
    IReadOnlyList<ChannelStatus> Channels,
    string ReadStatus,
    DateTimeOffset? ReadAt)
{
    /// <summary>Channels the gateway withheld from routing, with the reason.</summary>
    public IReadOnlyList<OmittedChannel> OmittedChannels { get; init; } = [];

    /// <summary>Sent with a test key: its delivery was simulated, nothing reached the citizen.</summary>
    public bool Test { get; init; }

    public string? Reference { get; init; }

    public Protocol? Protocol { get; init; }

    /// <summary>Sent from a template: which, its version, the language the citizen got and each language's content hash.</summary>
    public NoticeTemplate? Template { get; init; }

    /// <summary>When a scheduled notice is (or was) delivered; null when it was sent at once.</summary>
    public DateTimeOffset? SendAt { get; init; }

    /// <summary>Sent as sensitive: its channels carried no subject or content, only a pointer to the inbox.</summary>
    public bool Sensitive { get; init; }

    /// <summary>The notice's due-date reminders in delivery order, each a notice of its own (<see cref="NotificheClient.GetNoticeAsync"/> by its id); empty when none.</summary>
    public IReadOnlyList<ReminderStatus> Reminders { get; init; } = [];

    /// <summary>A reminder's own status: the notice it reminds of; null for a notice.</summary>
    public Guid? ReminderOf { get; init; }

    /// <summary>A reminder's own status: its duration before the due date, as submitted.</summary>
    public string? ReminderBefore { get; init; }

    /// <summary>The notice's escalation steps in order, each with its outcome and a notice of its own; empty when none.</summary>
    public IReadOnlyList<EscalationStepStatus> Escalation { get; init; } = [];

    /// <summary>An escalation step's own status: the notice it escalates; null for a notice.</summary>
    public Guid? EscalationOf { get; init; }

    /// <summary>An escalation step's own status: its position (1, 2, 3).</summary>
    public int? EscalationStep { get; init; }

    /// <summary>When your service resolved the notice (<see cref="NotificheClient.ResolveNoticeAsync"/>); null until then.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>The status of one channel (<c>email</c>, <c>sms</c>, <c>push</c>, <c>telegram</c>), or null when it was not planned.</summary>
    public ChannelStatus? Channel(string channel) => Channels.FirstOrDefault(c => c.Channel == channel);
}

/// <param name="Id">The template the notice was rendered from.</param>
/// <param name="Version">Its version at the notice's acceptance.</param>
/// <param name="Language">The language the citizen got, once routed (their profile's when the template has it, else it).</param>
/// <param name="Variants">content_sha256 per language, each as rendered at acceptance.</param>
public sealed record NoticeTemplate(Guid Id, int Version, string? Language, IReadOnlyDictionary<string, string> Variants);

/// <param name="Id">The reminder's own notice id (its status and audit trail).</param>
/// <param name="Before">The ISO-8601 duration before the due date, as submitted.</param>
/// <param name="SendAt">When it is (or was) notified.</param>
/// <param name="Status">SCHEDULED until then, CANCELLED when resolved before, then ACCEPTED, PROCESSED or REJECTED.</param>
public sealed record ReminderStatus(Guid Id, string Before, DateTimeOffset SendAt, string Status);

/// <param name="Id">The step's own notice id (its status and audit trail).</param>
/// <param name="Step">Its position: 1, 2, 3.</param>
/// <param name="After">The ISO-8601 duration after the notice's delivery, as submitted.</param>
/// <param name="Channels">The step's channels.</param>
/// <param name="RunsAt">When the step is (or was) decided.</param>
/// <param name="Outcome">PENDING, DONE (routed: unread), SKIPPED_READ, SKIPPED_SMS_BUDGET or CANCELLED.</param>
/// <param name="Status">The step's own status: SCHEDULED, ACCEPTED, PROCESSED, REJECTED, SKIPPED or CANCELLED.</param>
public sealed record EscalationStepStatus(Guid Id, int Step, string After, IReadOnlyList<string> Channels, DateTimeOffset RunsAt, string Outcome, string Status);

/// <summary>One channel's delivery: <see cref="Status"/> is PENDING, DEFERRED, THROTTLED, SENT, FAILED or EXPIRED.</summary>
public sealed record ChannelStatus(string Channel, string Status, DateTimeOffset UpdatedAt, string? Reason)
{
    /// <summary>Held back by the citizen's quiet hours: when it was (or will be) sent on; null otherwise.</summary>
    public DateTimeOffset? DeferredUntil { get; init; }
}

public sealed record OmittedChannel(string Channel, string Reason);

/// <summary>A notice's audit trail, oldest first (<c>GET /api/v1/notices/{id}/events</c>).</summary>
public sealed record NoticeEvents(Guid NoticeId, string ContentSha256, IReadOnlyList<NoticeEvent> Events)
{
    public string? Reference { get; init; }

    public Protocol? Protocol { get; init; }
}

/// <summary>Filters and paging of <see cref="NotificheClient.ListNoticesAsync"/>; all optional.</summary>
public sealed record NoticeQuery
{
    /// <summary>Only notices submitted with this reference.</summary>
    public string? Reference { get; init; }
    /// <summary>SCHEDULED, ACCEPTED, PROCESSED, REJECTED or CANCELLED.</summary>
    public string? Status { get; init; }
    /// <summary>Accepted at or after (millisecond precision).</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Accepted before (millisecond precision).</summary>
    public DateTimeOffset? To { get; init; }
    /// <summary>1-200; the platform's default (50) when null.</summary>
    public int? PageSize { get; init; }
    /// <summary>The previous page's <see cref="NoticePage.NextCursor"/>.</summary>
    public string? Cursor { get; init; }
}

/// <summary>One page of your service's notices, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record NoticePage(IReadOnlyList<NoticeSummary> Items, string? NextCursor);

public sealed record NoticeSummary(
    Guid Id, string Status, string? Reference, Protocol? Protocol, string? Category, DateTimeOffset AcceptedAt, DateTimeOffset? SendAt,
    DateTimeOffset? ProcessedAt, bool Test);

public sealed record NoticeEvent(long Sequence, string Type, string? Channel, string? Detail, DateTimeOffset At);

/// <summary>The registered status callback; the secret is never returned.</summary>
public sealed record CallbackRegistration(string Url, DateTimeOffset UpdatedAt);
