namespace Notifiche.Messaging;

/// <summary>
/// A failure that retrying cannot fix (invalid address, rejected content): the retry policy ignores it,
/// so the message goes straight to the error queue. The message must never contain personal data.
/// </summary>
public sealed class PermanentFailureException(string reason) : Exception(reason);

/// <summary>A failure expected to go away (connection refused, 4xx reply, timeout): retried with back-off.</summary>
public sealed class TransientFailureException(string reason, Exception? inner = null) : Exception(reason, inner);
