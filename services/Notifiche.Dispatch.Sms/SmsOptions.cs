using System.ComponentModel.DataAnnotations;

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

/// <summary>The provider client's HTTP resilience (Polly via Microsoft.Extensions.Http.Resilience).</summary>
public sealed class HttpResilienceSettings
{
    /// <summary>Retries of one call on 429 (honouring <c>Retry-After</c>), 5xx, 408, timeouts and connection failures; 0 for none.</summary>
    [Range(0, 10)]
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First back-off delay; exponential with jitter after that.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between two attempts, also when the provider's <c>Retry-After</c> asks for more.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Share of failed calls in <see cref="CircuitSamplingDuration"/> that opens the circuit (calls then fail fast).</summary>
    [Range(0.01, 1.0)]
    public double CircuitFailureRatio { get; set; } = 0.5;

    [Range(2, 10_000)]
    public int CircuitMinimumThroughput { get; set; } = 10;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// MassTransit's kill switch on the dispatcher's endpoint: when too many commands fail with a transient (provider)
/// failure, the endpoint stops consuming for <see cref="RestartTimeout"/>, so commands wait in the queue.
/// </summary>
public sealed class KillSwitchSettings
{
    /// <summary>Commands consumed in a tracking period before the switch may trip.</summary>
    [Range(1, 10_000)]
    public int ActivationThreshold { get; set; } = 10;

    /// <summary>Percentage of failed commands that trips the switch.</summary>
    [Range(1, 100)]
    public int TripThresholdPercent { get; set; } = 15;

    public TimeSpan TrackingPeriod { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan RestartTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
