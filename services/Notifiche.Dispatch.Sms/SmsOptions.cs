using System.ComponentModel.DataAnnotations;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;

namespace Notifiche.Dispatch.Sms;

public enum SmsProvider
{
    Twilio,
    /// <summary>Records each SMS as a JSON line in a file instead of sending it (embedded default, demos, tests).</summary>
    Sandbox,
}

/// <summary>Bound from the <c>Sms</c> configuration section.</summary>
public sealed class SmsOptions
{
    public const string Section = "Sms";

    public SmsProvider Provider { get; set; } = SmsProvider.Twilio;

    /// <summary>Most segments one notice may cost; the subject is shortened to fit, never exceeded.</summary>
    [Range(1, 10)]
    public int MaxSegments { get; set; } = 2;

    /// <summary>What the provider bills per segment, in euro: <c>NotificationSent.CostEuro</c> = segments × this.</summary>
    [Range(typeof(decimal), "0", "10")]
    public decimal PricePerSegmentEuro { get; set; } = 0.05m;

    /// <summary>
    /// Text per language (<c>it</c>, <c>en</c>, <c>de</c>…) with the placeholders <c>{service}</c> and <c>{subject}</c>;
    /// configuration adds or replaces entries, and an unknown language gets <c>it</c>.
    /// </summary>
    public Dictionary<string, string> Templates { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["it"] = "Hai un nuovo avviso da {service}: {subject}. Leggilo nell'app.",
        ["en"] = "You have a new notice from {service}: {subject}. Read it in the app.",
        ["de"] = "Sie haben eine neue Mitteilung von {service}: {subject}. Lesen Sie sie in der App.",
    };

    /// <summary>Where the sandbox provider appends <c>sms.jsonl</c>.</summary>
    public string SandboxDirectory { get; set; } = "notifiche-data/sms";

    [Required]
    public TwilioOptions Twilio { get; set; } = new();

    [Required]
    public HttpResilienceSettings Resilience { get; set; } = new();

    [Required]
    public KillSwitchSettings KillSwitch { get; set; } = new();
}

/// <summary>Twilio's Messages resource: basic auth with the account SID and auth token.</summary>
public sealed class TwilioOptions
{
    [Required]
    public Uri BaseAddress { get; set; } = new("https://api.twilio.com");

    public string AccountSid { get; set; } = string.Empty;

    public string AuthToken { get; set; } = string.Empty;

    /// <summary>Sender number or alphanumeric sender id; ignored when <see cref="MessagingServiceSid"/> is set.</summary>
    public string? From { get; set; }

    public string? MessagingServiceSid { get; set; }
}
