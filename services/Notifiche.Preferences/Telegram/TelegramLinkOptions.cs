using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Notifiche.Preferences.Telegram;

/// <summary>
/// Bound from <c>Preferences:Telegram</c>: linking citizens' Telegram chats to their profiles through the platform's bot.
/// Both empty: Telegram is off (no link tokens, the webhook refuses every update). Checked when the service starts.
/// </summary>
public sealed partial class TelegramLinkOptions : IValidatableObject
{
    public const string Section = "Preferences:Telegram";

    /// <summary>The bot's username without <c>@</c>: links are <c>https://t.me/{BotUsername}?start=&lt;token&gt;</c>.</summary>
    public string BotUsername { get; set; } = string.Empty;

    /// <summary>
    /// The <c>secret_token</c> given to <c>setWebhook</c>, which Telegram sends in <c>X-Telegram-Bot-Api-Secret-Token</c>
    /// with every update: at least 32 of the characters Telegram allows (A–Z, a–z, 0–9, <c>_</c>, <c>-</c>). A secret.
    /// </summary>
    public string WebhookSecret { get; set; } = string.Empty;

    /// <summary>How long a link token can be used.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan LinkTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public bool Enabled => BotUsername.Length > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled && WebhookSecret.Length == 0)
        {
            yield break;
        }

        if (!BotUsernameShape().IsMatch(BotUsername))
        {
            yield return new ValidationResult($"{Section}:BotUsername must be the bot's username (5–32 letters, digits or _, ending in bot).", [nameof(BotUsername)]);
        }

        if (!SecretShape().IsMatch(WebhookSecret))
        {
            yield return new ValidationResult(
                $"{Section}:WebhookSecret must be 32 to 256 characters of A-Z, a-z, 0-9, _ and - (the secret_token given to setWebhook).",
                [nameof(WebhookSecret)]);
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{3,30}[Bb][Oo][Tt]$")]
    private static partial Regex BotUsernameShape();

    [GeneratedRegex("^[A-Za-z0-9_-]{32,256}$")]
    private static partial Regex SecretShape();
}
