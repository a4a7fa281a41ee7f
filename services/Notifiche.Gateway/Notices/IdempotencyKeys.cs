using System.Security.Cryptography;
using System.Text.Json;

namespace Notifiche.Gateway.Notices;

/// <summary>The <c>Idempotency-Key</c> header of <c>POST /api/v1/notices</c>.</summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 255;

    /// <summary>How long a key is remembered: a retry within this window returns the original notice.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <returns>null when acceptable, else why not.</returns>
    public static string? Validate(string key) =>
        key.Length is 0 or > MaxLength || key.Any(c => c is < '!' or > '~')
            ? $"must be 1-{MaxLength} visible ASCII characters (a UUID is a good choice)"
            : null;

    /// <summary>Hash of the request after normalisation, so a retry that differs only in whitespace or case of the codice fiscale matches.</summary>
    /// <param name="test">Sent with a test key: hashed apart, so a live request never replays a test notice nor the reverse.</param>
    public static string RequestHash(ValidNotice notice, bool test = false) =>
        Convert.ToHexStringLower(SHA256.HashData([.. JsonSerializer.SerializeToUtf8Bytes(AsRequested(notice)), .. test ? "test"u8.ToArray() : []]));

    /// <summary>A template notice as the sender wrote it: template id and personalisation, not the text rendered from them.</summary>
    private static ValidNotice AsRequested(ValidNotice notice) =>
        notice.TemplateId is null ? notice : notice with { Subject = string.Empty, Markdown = string.Empty };
}
