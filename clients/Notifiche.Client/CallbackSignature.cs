using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Notifiche.Client;

/// <summary>
/// Checks a status callback as your receiver gets it. The platform POSTs JSON <c>{notice_id, channel, status, time}</c>
/// with <c>X-Notifiche-Signature: sha256=&lt;hex HMAC-SHA256 of the raw body bytes under your callback secret&gt;</c>
/// (and the sending time in <c>X-Notifiche-Timestamp</c>, Unix seconds). Verify the raw bytes as received, before
/// parsing them: re-serialised JSON would not match.
/// </summary>
public static class CallbackSignature
{
    public const string SignatureHeader = "X-Notifiche-Signature";
    public const string TimestampHeader = "X-Notifiche-Timestamp";
    private const string Prefix = "sha256=";

    /// <summary>True when <paramref name="signature"/> (the header's value) is the HMAC of <paramref name="body"/> under <paramref name="secret"/>; compared in constant time.</summary>
    public static bool IsValid(string secret, ReadOnlySpan<byte> body, string? signature)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (signature is null || !signature.StartsWith(Prefix, StringComparison.Ordinal) || signature.Length != Prefix.Length + 64)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(signature.AsSpan(Prefix.Length), given, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The status change in a callback whose signature is valid; throws <see cref="CallbackSignatureException"/> otherwise.</summary>
    public static StatusCallbackEvent Read(string secret, ReadOnlySpan<byte> body, string? signature) =>
        IsValid(secret, body, signature)
            ? JsonSerializer.Deserialize<StatusCallbackEvent>(body, ApiCalls.Json) ?? throw new CallbackSignatureException("The callback body is empty.")
            : throw new CallbackSignatureException("The callback's signature does not match its body under this secret.");
}

/// <summary>A status change as a callback reports it: the notice's (channel null) or one channel's.</summary>
public sealed record StatusCallbackEvent(Guid NoticeId, string? Channel, string Status, DateTimeOffset Time)
{
    /// <summary>The reference the notice was submitted with.</summary>
    public string? Reference { get; init; }

    public Protocol? Protocol { get; init; }

    /// <summary>Sent with a test key: its delivery is simulated.</summary>
    public bool Test { get; init; }
}

public sealed class CallbackSignatureException(string message) : Exception(message);
