namespace Notifiche.Dispatch.Email.Sending;

/// <summary>Outcome of one provider call. Reasons never contain the address or the content.</summary>
public abstract record DeliveryResult
{
    public sealed record Sent(string? ProviderMessageId) : DeliveryResult;

    /// <summary>Retrying cannot help (mailbox does not exist, 5xx reply).</summary>
    public sealed record Permanent(string Reason) : DeliveryResult;

    /// <summary>Worth retrying (connection refused, 4xx reply, timeout).</summary>
    public sealed record Transient(string Reason) : DeliveryResult;
}
