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

    /// <summary>Worth retrying (QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL, timeout, provider unreachable).</summary>
    public sealed record Transient(string Reason) : PushResult;
}
