namespace Notifiche.Contracts;

/// <summary>
/// A notice was durably accepted by the gateway. Carries what routing needs, including personal data
/// (codice fiscale, content, default address): it is consumed only by Preferences.
/// </summary>
public record NoticeSubmitted
{
    public required Guid NoticeId { get; init; }
    public required string ServiceId { get; init; }
    public required string ServiceName { get; init; }
    public required string OrganizationName { get; init; }
    /// <summary>Channels the service may use, from the gateway's service registry.</summary>
    public required IReadOnlyList<string> AllowedChannels { get; init; }
    public required string FiscalCode { get; init; }
    public required string Subject { get; init; }
    public required string Markdown { get; init; }
    public DateOnly? DueDate { get; init; }
    public string? Category { get; init; }
    public string? DefaultEmail { get; init; }
    public required DateTimeOffset AcceptedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    /// <summary>
    /// Sent by a service with the registry's urgent permission: delivered at once on every channel, ignoring the citizen's
    /// quiet hours.
    /// </summary>
    public bool Urgent { get; init; }
    /// <summary>
    /// SMS segments reserved for the notice in its service's monthly SMS budget: its SMS may cost no more (0: none may be
    /// sent). Null: the service has no SMS budget.
    /// </summary>
    public int? SmsSegments { get; init; }
    /// <summary>
    /// A notice sent from a template: its content in the template's other languages (<see cref="Subject"/> and
    /// <see cref="Markdown"/> are the Italian). Routing picks the citizen's language when it is here. Empty otherwise.
    /// </summary>
    public IReadOnlyList<ContentVariant> Variants { get; init; } = [];
    /// <summary>
    /// Set on a due-date reminder: the notice it reminds of (the one in the citizen's inbox). The reminder is notified on the
    /// citizen's channels like a notice of its own (its own id, statuses and audit trail) but is not a second inbox entry.
    /// </summary>
    public Guid? ReminderOf { get; init; }
    /// <summary>
    /// Set on an escalation step (the notice was still unread at the step's time): the notice in the citizen's inbox it
    /// escalates. Notified like <see cref="ReminderOf"/>: its own id, statuses and audit trail, not a second inbox entry.
    /// </summary>
    public Guid? EscalationOf { get; init; }
    /// <summary>
    /// Channels the service may use that this delivery leaves to the notice's escalation steps (not in
    /// <see cref="AllowedChannels"/>). A citizen without a profile can be told only at the default address: routing still
    /// uses it then.
    /// </summary>
    public IReadOnlyList<string> EscalationWithheld { get; init; } = [];
    /// <summary>
    /// The service marked the notice sensitive: the channels say only that a notice from the administration is waiting in
    /// the inbox — no subject, no content (routing replaces them before any dispatch command is built).
    /// </summary>
    public bool Sensitive { get; init; }
    /// <summary>
    /// The service asked to hold the notice while the citizen has no profile: routing keeps it (HELD) instead of rejecting
    /// it with USER_NOT_FOUND, routes it when the profile is created, and reports it expired when its time to live ends first.
    /// </summary>
    public bool HoldUntilRegistered { get; init; }
}
