

namespace Notifiche.Gateway.Notices;

public sealed record NoticeCreatedResponse(Guid Id);

/// <summary>What <c>GET /api/v1/notices/{id}</c> returns: status only, no personal data.</summary>
public sealed record NoticeStatusResponse(
    Guid Id,
    string Status,
    string? RejectionReason,
    string? StatusDetail,
    string? Category,
    DateTimeOffset AcceptedAt,
    DateTimeOffset? SendAt,
    DateTimeOffset? ProcessedAt,
    DateTimeOffset ExpiresAt,
    string ContentSha256,
    IReadOnlyList<ChannelStatusResponse> Channels,
    string ReadStatus,
    DateTimeOffset? ReadAt)
{
    /// <summary>Channels the gateway withheld from routing, with the reason (e.g. SMS over the service's monthly budget).</summary>
    public IReadOnlyList<OmittedChannelResponse> OmittedChannels { get; init; } = [];

    /// <summary>Sent with a test key: its delivery was simulated, nothing reached the citizen.</summary>
    public bool Test { get; init; }

    /// <summary>The sender's own id for the notice, as submitted.</summary>
    public string? Reference { get; init; }

    public ProtocolResponse? Protocol { get; init; }

    /// <summary>Sent from a template: which, in which version, and the content each language was rendered to.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public NoticeTemplateResponse? Template { get; init; }

    /// <summary>Sensitive: the channels carried no subject or content, only a pointer to the inbox.</summary>
    public bool Sensitive { get; init; }

    /// <summary>The notice's due-date reminders in delivery order, each a notice of its own (status by its id). Absent when none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ReminderStatusResponse>? Reminders { get; init; }

    /// <summary>A reminder's own status: the notice it reminds of. Absent for a notice.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Guid? ReminderOf { get; init; }

    /// <summary>A reminder's own status: its duration before the due date, as submitted.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ReminderBefore { get; init; }

    /// <summary>The notice's escalation steps in order, each a notice of its own (status by its id), with its outcome. Absent when none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<EscalationStepStatusResponse>? Escalation { get; init; }

    /// <summary>An escalation step's own status: the notice it escalates. Absent for a notice.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Guid? EscalationOf { get; init; }

    /// <summary>An escalation step's own status: its position (1, 2, 3) in the notice's escalation.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? EscalationStep { get; init; }

    /// <summary>When the service resolved the notice (POST …/resolve). Absent until then.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <param name="now">The gateway's clock: a notice is SCHEDULED until its send_at.</param>
    /// <param name="reminders">The notice's due-date reminders (rows whose <see cref="Notice.ReminderOf"/> is this notice).</param>
    /// <param name="escalation">The notice's escalation steps (rows whose <see cref="Notice.EscalationOf"/> is this notice).</param>
    public static NoticeStatusResponse From(Notice n, DateTimeOffset now, IReadOnlyList<Notice>? reminders = null, IReadOnlyList<Notice>? escalation = null) => new(
        n.Id, NoticeStatus.Shown(n, now), n.RejectionReason, n.StatusDetail, n.Category, n.AcceptedAt, n.SendAt, n.ProcessedAt, n.ExpiresAt, n.ContentSha256,
        [.. n.Channels.OrderBy(c => c.Channel).Select(c => new ChannelStatusResponse(c.Channel, c.Status, c.UpdatedAt, c.FailureReason) { DeferredUntil = c.DeferredUntil })],
        // The citizen's reading is shown only with their read receipts for this service: READ with the time, or UNREAD.
        !n.ReadReceipts ? Notices.ReadStatus.Unavailable : n.ReadAt is null ? Notices.ReadStatus.Unread : Notices.ReadStatus.Read,
        n.ReadReceipts ? n.ReadAt : null)
    {
        OmittedChannels = [.. n.Omissions.OrderBy(o => o.Channel).Select(o => new OmittedChannelResponse(o.Channel, o.Reason))],
        Test = n.Test,
        Reference = n.Reference,
        Protocol = ProtocolResponse.Of(n),
        Template = NoticeTemplateResponse.Of(n),
        Sensitive = n.Sensitive,
        Reminders = reminders is { Count: > 0 }
            ? [.. reminders.OrderBy(r => r.SendAt).Select(r => new ReminderStatusResponse(r.Id, r.ReminderBefore!, r.SendAt!.Value, NoticeStatus.Shown(r, now)))]
            : null,
        Escalation = escalation is { Count: > 0 } ? [.. escalation.OrderBy(e => e.EscalationStep).Select(e => EscalationStepStatusResponse.Of(e, now))] : null,
        EscalationOf = n.EscalationOf,
        EscalationStep = n.EscalationStep,
        ReminderOf = n.ReminderOf,
        ReminderBefore = n.ReminderBefore,
        ResolvedAt = n.ResolvedAt,
    };
}

/// <param name="Language">The language the citizen got once routed (their profile's when the template has it, else it); null before.</param>
/// <param name="Variants">content_sha256 of each language rendered at acceptance (it is the notice's own content_sha256).</param>
public sealed record NoticeTemplateResponse(Guid Id, int Version, string? Language, IReadOnlyDictionary<string, string> Variants)
{
    public static NoticeTemplateResponse? Of(Notice n) => n is { TemplateId: { } id, TemplateVersion: { } version }
        ? new(id, version, n.Status == NoticeStatus.Processed ? n.ContentLanguage ?? Contracts.Languages.Italian : null,
            new Dictionary<string, string> { [Contracts.Languages.Italian] = n.ContentSha256 }
                .Concat(n.Variants.OrderBy(v => Templates.TemplateValidator.LanguageOrder(v.Language)).Select(v => KeyValuePair.Create(v.Language, v.ContentSha256)))
                .ToDictionary())
        : null;
}

/// <param name="Id">The reminder's own notice id: its channels and audit trail are at /api/v1/notices/{id} and …/events.</param>
/// <param name="Before">The ISO-8601 duration before the due date, as submitted.</param>
/// <param name="SendAt">When it is (or was) notified.</param>
/// <param name="Status">SCHEDULED until then, CANCELLED when resolve cancelled it, then as any notice (ACCEPTED, PROCESSED, REJECTED).</param>
public sealed record ReminderStatusResponse(Guid Id, string Before, DateTimeOffset SendAt, string Status);

/// <param name="Id">The step's own notice id: its channels and audit trail are at /api/v1/notices/{id} and …/events.</param>
/// <param name="Step">Its position: 1, 2, 3.</param>
/// <param name="After">The ISO-8601 duration after the notice's delivery, as submitted.</param>
/// <param name="Channels">The step's channels.</param>
/// <param name="RunsAt">When the step is (or was) decided.</param>
/// <param name="Outcome">PENDING until then; DONE (routed: the notice was unread), SKIPPED_READ, SKIPPED_SMS_BUDGET, or CANCELLED (resolve, rejection).</param>
/// <param name="Status">The step's own notice status: SCHEDULED, ACCEPTED, PROCESSED, REJECTED, SKIPPED or CANCELLED.</param>
public sealed record EscalationStepStatusResponse(Guid Id, int Step, string After, IReadOnlyList<string> Channels, DateTimeOffset RunsAt, string Outcome, string Status)
{
    public static EscalationStepStatusResponse Of(Notice step, DateTimeOffset now) => new(
        step.Id, step.EscalationStep!.Value, step.EscalationAfter!, step.EscalationChannels ?? [], step.SendAt!.Value,
        step.EscalationOutcome ?? (step.Status == NoticeStatus.Cancelled ? EscalationOutcomes.Cancelled : EscalationOutcomes.Pending),
        NoticeStatus.Shown(step, now));
}

public sealed record ChannelStatusResponse(string Channel, string Status, DateTimeOffset UpdatedAt, string? Reason)
{
    /// <summary>Set when the citizen's quiet hours held the channel back: when it was (or will be) sent on. Absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? DeferredUntil { get; init; }
}

public sealed record OmittedChannelResponse(string Channel, string Reason);
