using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;

namespace Notifiche.Dispatch.Telegram;

public enum TelegramProvider
{
    /// <summary>Telegram's Bot API (<c>sendMessage</c>).</summary>
    BotApi,
    /// <summary>Records each message as a JSON line in a file instead of sending it (embedded default, demos, tests).</summary>
    Sandbox,
}

/// <summary>Bound from the <c>Telegram</c> configuration section of the Telegram dispatcher.</summary>
public sealed partial class TelegramOptions : IValidatableObject
{
    public const string Section = "Telegram";

    public TelegramProvider Provider { get; set; } = TelegramProvider.BotApi;

    /// <summary>
    /// Message per language (<c>it</c>, <c>en</c>, <c>de</c>…), Telegram HTML, with the placeholders <c>{service}</c> and
    /// <c>{subject}</c> (replaced by escaped text); configuration adds or replaces entries, and an unknown language gets <c>it</c>.
    /// </summary>
    public Dictionary<string, string> Templates { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["it"] = "<b>{service}</b>\nHai un nuovo avviso: {subject}\nLeggilo nell'app.",
        ["en"] = "<b>{service}</b>\nYou have a new notice: {subject}\nRead it in the app.",
        ["de"] = "<b>{service}</b>\nSie haben eine neue Mitteilung: {subject}\nLesen Sie sie in der App.",
    };

    /// <summary>Where the sandbox provider appends <c>telegram.jsonl</c>.</summary>
    public string SandboxDirectory { get; set; } = "notifiche-data/telegram";

    [Required]
    public BotApiOptions BotApi { get; set; } = new();

    [Required]
    public HttpResilienceSettings Resilience { get; set; } = new();

    [Required]
    public KillSwitchSettings KillSwitch { get; set; } = new();

    /// <summary>The bot token is checked at start (its shape only: <c>&lt;bot id&gt;:&lt;secret&gt;</c>), and never echoed.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == TelegramProvider.BotApi && !BotTokenShape().IsMatch(BotApi.Token ?? string.Empty))
        {
            yield return new ValidationResult(
                "Telegram:BotApi:Token must be the bot token BotFather gave (<bot id>:<secret>, the secret at least 30 characters).",
                [$"{nameof(BotApi)}.{nameof(BotApiOptions.Token)}"]);
        }
    }

    [GeneratedRegex("^[0-9]{1,20}:[A-Za-z0-9_-]{30,}$")]
    private static partial Regex BotTokenShape();
}

/// <summary>Telegram's Bot API: <c>{BaseAddress}/bot{Token}/sendMessage</c> (a Bot API server at the root of its address).</summary>
public sealed class BotApiOptions
{
    [Required]
    public Uri BaseAddress { get; set; } = new("https://api.telegram.org");

    /// <summary>The bot's token (a secret: it is part of every request's URL, so it is never logged or traced).</summary>
    public string Token { get; set; } = string.Empty;
}
