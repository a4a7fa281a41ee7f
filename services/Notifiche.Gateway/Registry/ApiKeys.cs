using System.Security.Cryptography;
using System.Text;

namespace Notifiche.Gateway.Registry;

/// <summary>API key material: high-entropy secrets, stored and compared only as SHA-256.</summary>
public static class ApiKeys
{
    public const string Header = "X-Api-Key";
    private const string Prefix = "ntf_";

    /// <summary>A new secret: 32 random bytes, base64url, with a recognisable prefix (so secret scanners can find leaked keys).</summary>
    public static string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
