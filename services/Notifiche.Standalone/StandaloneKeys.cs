using System.Buffers.Text;
using System.Security.Cryptography;
using Notifiche.Dispatch.Ledger;
using Notifiche.Gateway.Inbox;
using Notifiche.Gateway.Registry;
using Notifiche.Preferences;

namespace Notifiche.Standalone;

/// <summary>
/// Issue 16, point 1: the standalone host has no key anybody else knows. On first start it generates the operator key,
/// the citizen app backend's key, the dispatch ledger's address key and the secret the bot's webhook checks, each in a file of its own in the data folder
/// (readable by its owner only), and reads them back on every later start. A key given in configuration (environment,
/// command line) wins over its file.
/// </summary>
public sealed record StandaloneKeys(string OperatorKey, string AppBackendKey, string AddressKey, string TelegramWebhookSecret)
{
    public const string OperatorKeyFile = "operator-key.txt";
    public const string AppBackendKeyFile = "app-backend-key.txt";
    public const string AddressKeyFile = "dispatch-address-key.txt";
    public const string TelegramWebhookSecretFile = "telegram-webhook-secret.txt";
    private const string TelegramWebhookSecretSetting = "Preferences:Telegram:WebhookSecret";

    /// <summary>The keys configuration gives, else those kept in <paramref name="dataDirectory"/>, else new ones (then kept there).</summary>
    public static StandaloneKeys LoadOrCreate(IConfiguration configuration, string dataDirectory) => new(
        configuration[KeySchemes.OperatorKeySetting] is { Length: > 0 } operatorKey ? operatorKey : Kept(dataDirectory, OperatorKeyFile),
        configuration[PreferencesExtensions.AppBackendKeySetting] is { Length: > 0 } appBackendKey ? appBackendKey : Kept(dataDirectory, AppBackendKeyFile),
        configuration[DispatchLedgerOptions.AddressKeySetting] is { Length: > 0 } addressKey ? addressKey : Kept(dataDirectory, AddressKeyFile),
        configuration[TelegramWebhookSecretSetting] is { Length: > 0 } webhookSecret ? webhookSecret : Kept(dataDirectory, TelegramWebhookSecretFile));

    /// <summary>The configuration that hands the keys to the services (the gateway's and Preferences' app backend key are one).</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        [KeySchemes.OperatorKeySetting] = OperatorKey,
        [InboxEndpoints.AppBackendKeySetting] = AppBackendKey,
        [PreferencesExtensions.AppBackendKeySetting] = AppBackendKey,
        [DispatchLedgerOptions.AddressKeySetting] = AddressKey,
        [TelegramWebhookSecretSetting] = TelegramWebhookSecret,
    };

    private static string Kept(string dataDirectory, string name)
    {
        var file = Path.Combine(dataDirectory, name);
        if (File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } kept)
        {
            return kept;
        }

        // 32 random bytes, base64url: 43 characters a shell, an HTTP header and Telegram's secret_token take as they are.
        var key = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(file, key + Environment.NewLine);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return key;
    }
}
