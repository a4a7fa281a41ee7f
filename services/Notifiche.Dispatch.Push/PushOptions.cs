using System.ComponentModel.DataAnnotations;

namespace Notifiche.Dispatch.Push;

public enum PushProvider
{
    /// <summary>Firebase Cloud Messaging HTTP v1.</summary>
    Fcm,
    /// <summary>Records each push as a JSON line in a file instead of sending it (embedded default, demos, tests).</summary>
    Sandbox,
}

/// <summary>Bound from the <c>Push</c> configuration section.</summary>
public sealed class PushOptions
{
    public const string Section = "Push";

    public PushProvider Provider { get; set; } = PushProvider.Fcm;

    /// <summary>
    /// Body of an anonymous push (the service chose not to show subjects on lock screens), per language;
    /// configuration adds or replaces entries, and an unknown language gets <c>it</c>.
    /// </summary>
    public Dictionary<string, string> AnonymousBody { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["it"] = "Hai un nuovo avviso",
        ["en"] = "You have a new notice",
        ["de"] = "Sie haben eine neue Mitteilung",
    };

    /// <summary>Where the sandbox provider appends <c>push.jsonl</c>.</summary>
    public string SandboxDirectory { get; set; } = "notifiche-data/push";

    [Required]
    public FcmOptions Fcm { get; set; } = new();

    [Required]
    public HttpResilienceSettings Resilience { get; set; } = new();

    [Required]
    public KillSwitchSettings KillSwitch { get; set; } = new();
}

public sealed class FcmOptions
{
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    [Required]
    public Uri BaseAddress { get; set; } = new("https://fcm.googleapis.com");

    /// <summary>The Firebase project id (<c>/v1/projects/{ProjectId}/messages:send</c>).</summary>
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>
    /// Service-account JSON key file. Its <c>token_uri</c> is where OAuth2 tokens come from (tests point it at a stub);
    /// tokens are cached and refreshed by Google.Apis.Auth.
    /// </summary>
    public string CredentialsFile { get; set; } = string.Empty;
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
