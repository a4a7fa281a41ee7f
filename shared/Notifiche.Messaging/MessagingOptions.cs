using System.ComponentModel.DataAnnotations;

namespace Notifiche.Messaging;

public enum MessagingTransport
{
    RabbitMq,
    /// <summary>In-process transport of the embedded default (Standalone): nothing survives a restart.</summary>
    InMemory,
}

/// <summary>Bound from the <c>Messaging</c> configuration section.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    public MessagingTransport Transport { get; set; } = MessagingTransport.RabbitMq;

    [Required]
    public RabbitMqOptions RabbitMq { get; set; } = new();

    [Required]
    public RetryOptions Retry { get; set; } = new();

    /// <summary>
    /// Retry of the endpoints that call an external provider (<see cref="CommandQueues.ProviderQueues"/>): long enough to
    /// ride out a provider outage with the messages held unacknowledged in the broker instead of dead-lettered — the
    /// provider client's circuit breaker keeps the attempts cheap meanwhile. It must end within RabbitMQ's consumer
    /// timeout (30 minutes by default), so the default stays under 25 minutes; past it the message goes to
    /// <c>&lt;queue&gt;_error</c> for an SRE to replay.
    /// </summary>
    [Required]
    public RetryOptions ProviderRetry { get; set; } = new()
    {
        Limit = 30, MinInterval = TimeSpan.FromSeconds(1), MaxInterval = TimeSpan.FromMinutes(1), Delta = TimeSpan.FromSeconds(5),
    };

    /// <summary>
    /// Retry of named endpoints that need their own (e.g. <c>Messaging:EndpointRetry:status-callback</c>, the gateway's
    /// status callbacks); overrides <see cref="Retry"/> and <see cref="ProviderRetry"/> for that endpoint.
    /// </summary>
    public Dictionary<string, RetryOptions> EndpointRetry { get; set; } = [];

    /// <summary>The retry an endpoint gets: its own, else the provider retry for provider queues, else the ordinary one.</summary>
    public RetryOptions RetryFor(string endpoint) =>
        EndpointRetry.GetValueOrDefault(endpoint) ?? (CommandQueues.ProviderQueues.Contains(endpoint) ? ProviderRetry : Retry);

    /// <summary>
    /// Graceful shutdown: a stopping service takes no new messages at once and gives the ones in hand this long to
    /// finish (and be acknowledged). Past it their consumers are cancelled and the unfinished messages go back to their
    /// queue unacknowledged — nothing is acknowledged that was not done. The host allows a few seconds more to return
    /// them and close the connection: an orchestrator's grace period (Kubernetes <c>terminationGracePeriodSeconds</c>,
    /// compose <c>stop_grace_period</c>) must be longer than this plus <see cref="BusRegistration.StopMargin"/> twice.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages fetched ahead per consumer endpoint.</summary>
    [Range(1, 1000)]
    public int PrefetchCount { get; set; } = 32;
}

public sealed class RabbitMqOptions
{
    [Required]
    public string Host { get; set; } = "localhost";

    [Range(1, 65535)]
    public ushort Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    [Required]
    public string Username { get; set; } = "guest";

    [Required]
    public string Password { get; set; } = "guest";
}

/// <summary>
/// Short in-memory retry for transient faults. The delayed-message-exchange plugin is not available,
/// so there is no second-level (delayed) redelivery: when these are exhausted the message goes to <c>&lt;queue&gt;_error</c>.
/// </summary>
public sealed class RetryOptions
{
    [Range(0, 100)]
    public int Limit { get; set; } = 6;

    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Step (and jitter) added at each attempt.</summary>
    public TimeSpan Delta { get; set; } = TimeSpan.FromMilliseconds(500);
}
