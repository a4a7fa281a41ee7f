using Notifiche.Dispatch.Ledger;

namespace Notifiche.Dispatch.Push.Sending;

/// <summary>Outcome of one send to one device token. Reasons carry provider codes only, never the token or the content.</summary>
public abstract record PushResult
{
    /// <param name="ProviderMessageId">FCM's message name (<c>projects/…/messages/…</c>).</param>
    public sealed record Sent(string? ProviderMessageId) : PushResult;

    /// <summary>The token is no longer valid (UNREGISTERED, INVALID_ARGUMENT): the profile should drop it.</summary>
    public sealed record TokenRejected(string Reason) : PushResult;

    /// <summary>Retrying cannot help, but the token itself may be fine (SENDER_ID_MISMATCH, THIRD_PARTY_AUTH_ERROR).</summary>
    public sealed record Permanent(string Reason) : PushResult;

    /// <summary>Not processed, worth retrying (QUOTA_EXCEEDED, UNAVAILABLE, no connection, circuit open).</summary>
    public sealed record Transient(string Reason) : PushResult;

    /// <summary>May have reached FCM without an answer saying so (a timeout, INTERNAL, a 502): never sent again.</summary>
    public sealed record Unknown(string Reason) : PushResult;

    /// <summary>As the dispatch ledger records it: a rejected token is a permanent failure of a dead address.</summary>
    public DeliveryResult ToDelivery() => this switch
    {
        Sent sent => new DeliveryResult.Sent(sent.ProviderMessageId),
        TokenRejected rejected => new DeliveryResult.Permanent(rejected.Reason) { AddressRejected = true },
        Permanent permanent => new DeliveryResult.Permanent(permanent.Reason),
        Transient transient => new DeliveryResult.Transient(transient.Reason),
        Unknown unknown => new DeliveryResult.Unknown(unknown.Reason),
        _ => throw new InvalidOperationException(GetType().Name),
    };
}
