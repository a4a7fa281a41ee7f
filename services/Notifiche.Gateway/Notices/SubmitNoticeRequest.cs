using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Notifiche.Gateway.Notices;

/// <summary>
/// Body of <c>POST /api/v1/notices</c> (snake_case JSON). Everything nullable so that a missing field gets a clear error
/// from <see cref="NoticeValidator"/>, which decides; the attributes only describe its rules in the OpenAPI document.
/// </summary>
public sealed record SubmitNoticeRequest
{
    /// <summary>Pattern of a codice fiscale as stored (omocodia letters allowed in the digit positions); the check character is verified too.</summary>
    public const string FiscalCodePattern = "^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$";

    [Required, StringLength(16, MinimumLength = 16), RegularExpression(FiscalCodePattern)]
    [Description("The citizen's codice fiscale; trimmed and upper-cased, then checked for format, check character and omocodia.")]
    public string? FiscalCode { get; init; }

    [Description("The notice's subject and Markdown. Required unless template_id is given; never together with it.")]
    public NoticeContentRequest? Content { get; init; }

    [Description("Send from one of your templates (POST /api/v1/templates) instead of content: the notice is rendered at acceptance in "
        + "every language the template has, and each citizen gets their profile's language, Italian otherwise. An unknown id, or "
        + "another service's template, is a 400 naming template_id.")]
    public Guid? TemplateId { get; init; }

    [Description("With template_id: a string value for every placeholder of the template (all its languages), at most 500 characters "
        + "each, no line breaks; each missing or unknown one is a 400 naming personalisation.<name>. Values are inserted as text, never as Markdown.")]
    public Dictionary<string, string>? Personalisation { get; init; }

    [Range(NoticeValidator.TtlMin, NoticeValidator.TtlMax)]
    [Description("Seconds the notice may wait for delivery before its channels expire, counted from send_at when given; default 604800 (7 days).")]
    public int? TimeToLive { get; init; }

    [Description("Scheduled send: when the notice is to be delivered, an RFC 3339 date-time with its offset (e.g. 2026-12-24T09:00:00+01:00), "
        + "at most 30 days ahead and not in the past (60 seconds of clock skew allowed). The notice is accepted and visible (status SCHEDULED) "
        + "at once, routed and delivered from send_at on. Absent: delivered now.")]
    public DateTimeOffset? SendAt { get; init; }

    [Description("Urgent: delivered at once on every channel, also inside the citizen's quiet hours (SMS, push and Telegram are otherwise "
        + "held until they end). Only for a service the platform operator gave the urgent permission (urgent_allowed); from any other "
        + "service it is refused with 403 naming urgent. Default false.")]
    public bool? Urgent { get; init; }

    [MaxLength(DueDateReminders.Max)]
    [Description("Due-date reminders: ISO-8601 durations before content.due_date (e.g. [\"P7D\", \"P1D\"]), counted back from 09:00 "
        + "Europe/Rome on the due date; at most 5, none in the past, before send_at, after the due date or at the same time as another. "
        + "Each reminder is notified on the citizen's channels with its own id, status and audit trail (listed in the notice's status); the "
        + "citizen's inbox keeps the one notice. POST /api/v1/notices/{id}/resolve cancels those still pending.")]
    public IReadOnlyList<string?>? Reminders { get; init; }

    [MaxLength(Notices.Escalation.Max)]
    [Description("Escalation when unread: steps run only while the citizen has not read the notice in the inbox, e.g. "
        + "[{\"after\": \"PT48H\", \"channels\": [\"email\"]}, {\"after\": \"P5D\", \"channels\": [\"sms\"]}]. The first delivery "
        + "goes to the free channels (inbox, push, Telegram) and leaves out email and SMS when a step names them; at each step's time (after "
        + "counted from send_at, else acceptance) the step is routed to its channels if the notice is still unread (outcome DONE), else "
        + "skipped (SKIPPED_READ); SMS is taken from the monthly SMS budget then, and a step left with no channel by it is skipped "
        + "(SKIPPED_SMS_BUDGET). At most 3 steps, in increasing order, each before the time to live ends, on channels the service may use. "
        + "The status lists the steps (escalation), each with its own id, status and audit trail; resolve cancels those still pending.")]
    public IReadOnlyList<EscalationStepRequest?>? Escalation { get; init; }

    [Description("Sensitive (a test result, a tax assessment): email, SMS, push and Telegram say only that a new notice from the "
        + "administration is waiting in the citizen's inbox — no subject, no content; the full notice is only in the inbox. Default false.")]
    public bool? Sensitive { get; init; }

    [Description("Hold until registered: while the citizen has no profile the notice is HELD instead of REJECTED / USER_NOT_FOUND, "
        + "routed to the citizen's channels when the profile is created (held notices in the order they were accepted), and EXPIRED "
        + "when its time to live ends first. A notice with default_addresses.email is sent there instead, as without this option. Default false.")]
    public bool? HoldUntilRegistered { get; init; }

    [Description("Used when the citizen has no profile.")]
    public DefaultAddressesRequest? DefaultAddresses { get; init; }

    [StringLength(NoticeValidator.CategoryMax, MinimumLength = 1)]
    [Description("One of the notice categories declared in the service's census.")]
    public string? Category { get; init; }

    [StringLength(NoticeValidator.ReferenceMax, MinimumLength = 1)]
    [Description("The sending service's own id for this notice (e.g. its case or batch number), returned in status, events and callbacks, "
        + "and a filter of GET /api/v1/notices; trimmed; not unique. Never put personal data in it.")]
    public string? Reference { get; init; }

    [Description("The protocol number and date the administration registered the act under (protocollo informatico).")]
    public ProtocolRequest? Protocol { get; init; }
}

public sealed record ProtocolRequest
{
    [Required, StringLength(NoticeValidator.ProtocolNumberMax, MinimumLength = 1)]
    [Description("As registered, e.g. 0012345 or c_h501/AOO/2026/0012345; trimmed.")]
    public string? Number { get; init; }

    [Required]
    public DateOnly? Date { get; init; }
}

public sealed record NoticeContentRequest
{
    [Required, StringLength(NoticeValidator.SubjectMax, MinimumLength = NoticeValidator.SubjectMin)]
    [Description("No control characters, no bidirectional marks or overrides.")]
    public string? Subject { get; init; }

    [Required, StringLength(NoticeValidator.MarkdownMax, MinimumLength = NoticeValidator.MarkdownMin)]
    [Description("CommonMark; raw HTML is shown as text, only http, https and mailto links are kept.")]
    public string? Markdown { get; init; }

    public DateOnly? DueDate { get; init; }
}

public sealed record DefaultAddressesRequest
{
    [EmailAddress, StringLength(254)]
    public string? Email { get; init; }
}

/// <summary>A request that passed validation, normalised.</summary>
public sealed record ValidNotice(
    string FiscalCode,
    string Subject,
    string Markdown,
    DateOnly? DueDate,
    int TimeToLiveSeconds,
    string? DefaultEmail,
    string? Category,
    // Absent from the idempotency hash when null, so a notice without it hashes as before send_at existed.
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DateTimeOffset? SendAt = null,
    // Absent from the idempotency hash when false, so a notice without it hashes as before urgent existed.
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    bool Urgent = false)
{
    // Absent from the idempotency hash when null, as send_at.
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Reference { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ProtocolNumber { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateOnly? ProtocolDate { get; init; }

    /// <summary>
    /// Sent from a template: its id and the personalisation are what the idempotency hash covers, not the rendered text, so
    /// that a retry after the template changed replays the notice accepted the first time (<see cref="IdempotencyKeys.RequestHash"/>).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Guid? TemplateId { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public SortedDictionary<string, string>? Personalisation { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public int? TemplateVersion { get; init; }

    /// <summary>The template's other languages, rendered (Subject and Markdown are the Italian).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<Templates.TemplateText> Variants { get; init; } = [];
    /// <summary>Due-date reminders in delivery order; null when none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ScheduledReminder>? Reminders { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Sensitive { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool HoldUntilRegistered { get; init; }

    /// <summary>Escalation steps in order; null when none (absent from the idempotency hash then).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ScheduledEscalationStep>? Escalation { get; init; }
}
