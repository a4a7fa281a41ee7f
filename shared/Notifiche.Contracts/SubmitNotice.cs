namespace Notifiche.Contracts;

/// <summary>
/// Command a PA service publishes on RabbitMQ instead of calling <c>POST /api/v1/notices</c>: to the
/// service's own <c>notifiche.ingress.&lt;service id&gt;</c> exchange (bound to <c>notifiche.ingress</c>), with the AMQP <c>user_id</c> property set to its broker user (RabbitMQ verifies it
/// against the connection's user). The gateway validates it exactly like the HTTP body and answers with
/// <see cref="NoticeSubmissionAccepted"/> or <see cref="NoticeSubmissionRejected"/> on the exchange
/// <c>notifiche.replies.&lt;service id&gt;</c>. Members are optional so that a missing one is reported by name.
/// </summary>
public record SubmitNotice
{
    /// <summary>The sender's own reference for this submission, echoed in the reply.</summary>
    public string? SubmissionId { get; init; }
    /// <summary>The sending service; must be the broker user that published the message.</summary>
    public string? ServiceId { get; init; }
    /// <summary>Same meaning as the HTTP <c>Idempotency-Key</c> header: a retry with the same key and body is answered with the original notice.</summary>
    public string? IdempotencyKey { get; init; }
    public string? FiscalCode { get; init; }
    public SubmittedContent? Content { get; init; }
    /// <summary>Send from one of your templates instead of <see cref="Content"/>, as the HTTP <c>template_id</c>.</summary>
    public Guid? TemplateId { get; init; }
    /// <summary>With <see cref="TemplateId"/>: a value for every placeholder, as the HTTP <c>personalisation</c>.</summary>
    public IReadOnlyDictionary<string, string>? Personalisation { get; init; }
    /// <summary>Seconds; 3,600–604,800, default 604,800.</summary>
    public int? TimeToLive { get; init; }
    /// <summary>When to deliver the notice (at most 30 days ahead); absent: now. Same rules as the HTTP <c>send_at</c>.</summary>
    public DateTimeOffset? SendAt { get; init; }
    /// <summary>Deliver at once, ignoring the citizen's quiet hours; only for a service with the urgent permission. Same rules as the HTTP <c>urgent</c>.</summary>
    public bool? Urgent { get; init; }
    /// <summary>
    /// Due-date reminders, ISO-8601 durations before <c>content.dueDate</c> (e.g. <c>["P7D", "P1D"]</c>). Same rules as the
    /// HTTP <c>reminders</c>.
    /// </summary>
    public IReadOnlyList<string>? Reminders { get; init; }
    /// <summary>
    /// Escalation when unread: steps (at most 3, in increasing order) that run only while the citizen has not read the notice
    /// in the inbox, e.g. <c>[{"after": "PT48H", "channels": ["email"]}]</c>. Same rules as the HTTP <c>escalation</c>.
    /// </summary>
    public IReadOnlyList<SubmittedEscalationStep>? Escalation { get; init; }
    /// <summary>Sensitive: the channels say only that a notice is waiting in the inbox. Same rules as the HTTP <c>sensitive</c>.</summary>
    public bool? Sensitive { get; init; }
    /// <summary>
    /// Hold the notice while the citizen has no profile (instead of <c>REJECTED / USER_NOT_FOUND</c>): HELD until its time to
    /// live ends, routed when the profile is created. Same rules as the HTTP <c>hold_until_registered</c>.
    /// </summary>
    public bool? HoldUntilRegistered { get; init; }
    public SubmittedDefaultAddresses? DefaultAddresses { get; init; }
    public string? Category { get; init; }
    /// <summary>The sender's own id for the notice (1–128 characters once trimmed), as the HTTP <c>reference</c>.</summary>
    public string? Reference { get; init; }
    /// <summary>The protocol number and date the act was registered under, as the HTTP <c>protocol</c>.</summary>
    public SubmittedProtocol? Protocol { get; init; }
}

public record SubmittedEscalationStep
{
    /// <summary>ISO-8601 duration after the notice's delivery time, e.g. <c>PT48H</c>.</summary>
    public string? After { get; init; }
    /// <summary>email, sms, push or telegram: channels the service may use.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
}

public record SubmittedProtocol
{
    /// <summary>1–64 characters once trimmed.</summary>
    public string? Number { get; init; }
    public DateOnly? Date { get; init; }
}

public record SubmittedContent
{
    public string? Subject { get; init; }
    public string? Markdown { get; init; }
    public DateOnly? DueDate { get; init; }
}

public record SubmittedDefaultAddresses
{
    public string? Email { get; init; }
}
