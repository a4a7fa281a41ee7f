namespace Notifiche.Preferences.Data;

/// <summary>
/// A notice held until its citizen registers (issue 17 point 6, <see cref="Contracts.NoticeSubmitted.HoldUntilRegistered"/>):
/// kept here while the citizen has no profile, relayed by the <see cref="Holding.HeldNoticeRelay"/> once due — routed
/// again when the profile is created (<see cref="NotBefore"/> set back to <see cref="AcceptedAt"/>, so that the relay takes
/// a citizen's held notices in acceptance order), or reported expired at <see cref="ExpiresAt"/>. One per notice.
/// </summary>
public class HeldNotice : Notifiche.Persistence.IDueRow
{
    public long Id { get; set; }
    public Guid NoticeId { get; set; }
    /// <summary>The citizen's, so that creating the profile finds what waits for them; null once withdrawn by erasure.</summary>
    public string? FiscalCode { get; set; }
    /// <summary>The <see cref="Contracts.NoticeSubmitted"/> to route again, as JSON (content, codice fiscale); null once withdrawn.</summary>
    public string? Payload { get; set; }
    public DateTimeOffset AcceptedAt { get; set; }
    /// <summary>The notice's expiry: held until then at most.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>
    /// <see cref="ExpiresAt"/> while the citizen is unknown; <see cref="AcceptedAt"/> once the profile is created (due at
    /// once, in acceptance order); the erasure's time once withdrawn.
    /// </summary>
    public DateTimeOffset NotBefore { get; set; }
    /// <summary>W3C traceparent of the routing that held it, so the trace continues through the relay.</summary>
    public string? TraceParent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
