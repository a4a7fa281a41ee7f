namespace Notifiche.Dispatch.Sms.Sending;

/// <summary>
/// Outcome of one provider call. Reasons carry provider codes only, never the number or the text.
/// (The same shape as the email dispatcher's; each dispatcher keeps its own until a shared one exists.)
/// </summary>
public abstract record DeliveryResult
{
    public sealed record Sent(string? ProviderMessageId) : DeliveryResult;

    /// <summary>Retrying cannot help (invalid number, not a mobile, recipient unsubscribed).</summary>
    public sealed record Permanent(string Reason) : DeliveryResult;

    /// <summary>Worth retrying (429, 5xx, timeout, provider unreachable, misconfigured credentials).</summary>
    public sealed record Transient(string Reason) : DeliveryResult;
}
