namespace Notifiche.Preferences.Data;

/// <summary>
/// A dispatch command held back by the citizen's quiet hours (SMS, push or Telegram), published by the
/// <see cref="Deferral.DeferredDispatchRelay"/> from <see cref="NotBefore"/> on and then deleted. One per notice and
/// channel. Holds what the command carries (a phone number, device tokens or a chat, the subject) until then.
/// </summary>
public class DeferredDispatch : Notifiche.Persistence.IDueRow
{
    public long Id { get; set; }
    public Guid NoticeId { get; set; }
    /// <summary>
    /// The citizen's, so that erasing the profile withdraws what waits for them (<see cref="Deferral.DeferredCommands.Withdraw"/>);
    /// null once withdrawn (and on rows deferred before it was kept).
    /// </summary>
    public string? FiscalCode { get; set; }
    public required string Channel { get; set; }
    /// <summary>The command's type (<see cref="Deferral.DeferredCommands"/>) and its JSON.</summary>
    public required string MessageType { get; set; }
    public required string Payload { get; set; }
    /// <summary>The next allowed minute: published from then on. The relay takes due rows in this order, by index.</summary>
    public DateTimeOffset NotBefore { get; set; }
    /// <summary>The notice's expiry: a row found due after it becomes the channel's EXPIRED instead of its command.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>W3C traceparent of the routing that deferred it, so the trace continues through the relay.</summary>
    public string? TraceParent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
