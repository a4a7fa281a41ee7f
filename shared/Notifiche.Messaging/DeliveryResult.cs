namespace Notifiche.Messaging;

/// <summary>
/// Outcome of one provider call (SMTP server, SMS provider), shared by the dispatchers. Reasons carry status and
/// provider codes only, never the address, number or content.
/// </summary>
public abstract record DeliveryResult
{
    public sealed record Sent(string? ProviderMessageId) : DeliveryResult;

    /// <summary>Retrying cannot help (mailbox does not exist, invalid or unsubscribed number, 5xx reply).</summary>
    public sealed record Permanent(string Reason) : DeliveryResult
    {
        /// <summary>The address itself is dead (an unregistered push token): the citizen's profile should drop it.</summary>
        public bool AddressRejected { get; init; }
    }

    /// <summary>Worth retrying (connection refused, 4xx/429/5xx reply, timeout, provider unreachable).</summary>
    public sealed record Transient(string Reason) : DeliveryResult;
}
