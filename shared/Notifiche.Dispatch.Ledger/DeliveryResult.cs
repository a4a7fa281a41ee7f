namespace Notifiche.Dispatch.Ledger;

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
        /// <summary>The address itself is dead (an unregistered push token): the profile should drop it.</summary>
        public bool AddressRejected { get; init; }
    }

    /// <summary>
    /// Not processed, so worth retrying: the answer proves the provider did not take the request (connection refused,
    /// 429 or 503, an SMTP 4xx reply, nothing written yet).
    /// </summary>
    public sealed record Transient(string Reason) : DeliveryResult;

    /// <summary>
    /// The request may have reached the provider and no answer says what became of it (a timeout or a dropped
    /// connection after it was written, a 5xx from a gateway in front of the provider). Sending again could reach the
    /// citizen twice, so the dispatch ledger records it as failed with an unknown outcome and never retries it.
    /// </summary>
    public sealed record Unknown(string Reason) : DeliveryResult;
}

/// <summary>
/// What a sender calls at the last moment before its request can reach the provider — with a connected SMTP client in
/// hand, or an HTTP request about to be sent — so the dispatch ledger claims the dispatch only then (see
/// <c>DispatchLedger</c>). <c>true</c>: go ahead. <c>false</c>: another attempt holds this dispatch; send nothing (the
/// result returned is ignored).
/// </summary>
public delegate ValueTask<bool> ProviderHandOff(CancellationToken ct);

public static class ProviderHandOffs
{
    /// <summary>A hand-off that always lets the request go: for a sender called outside the dispatch ledger.</summary>
    public static readonly ProviderHandOff Unguarded = _ => ValueTask.FromResult(true);
}
