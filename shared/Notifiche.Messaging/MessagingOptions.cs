using System.ComponentModel.DataAnnotations;
using RabbitMQ.Client;
using Notifiche.ServiceDefaults;

namespace Notifiche.Messaging;

public enum MessagingTransport
{
    RabbitMq,
    /// <summary>In-process transport of the embedded default (Standalone): nothing survives a restart.</summary>
    InMemory,
}

/// <summary>Bound from the <c>Messaging</c> configuration section.</summary>
public sealed class MessagingOptions : IValidatableObject
{
    public const string Section = "Messaging";

    public MessagingTransport Transport { get; set; } = MessagingTransport.RabbitMq;

    [Required]
    public RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>In-memory retry of ordinary queues; the whole policy per queue is <see cref="DeliveryPolicy"/>.</summary>
    [Required]
    public RetryOptions Retry { get; set; } = DeliveryPolicy.Retry;

    /// <summary>In-memory retry of the queues that call a paid provider (<see cref="DeliveryPolicy.ProviderQueues"/>).</summary>
    [Required]
    public RetryOptions ProviderRetry { get; set; } = DeliveryPolicy.ProviderRetry;

    /// <summary>
    /// Retry of named endpoints that need their own (e.g. <c>Messaging:EndpointRetry:status-callback</c>, the gateway's
    /// status callbacks); overrides <see cref="Retry"/> and <see cref="ProviderRetry"/> for that endpoint.
    /// </summary>
    public Dictionary<string, RetryOptions> EndpointRetry { get; set; } = [];

    /// <summary>The in-memory retry an endpoint gets (<see cref="DeliveryPolicy.For"/>).</summary>
    public RetryOptions RetryFor(string endpoint) => DeliveryPolicy.For(this, endpoint).Retry;

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

    // Data annotations validate only this object's own properties, not those of RabbitMq: its rules are checked here.
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Transport == MessagingTransport.RabbitMq ? RabbitMq.Validate($"{Section}:{nameof(RabbitMq)}") : [];
}

public sealed class RabbitMqOptions
{
    /// <summary>The broker of a single node; ignored when <see cref="Hosts"/> is set.</summary>
    [Required]
    public string Host { get; set; } = "localhost";

    /// <summary>AMQP port of <see cref="Host"/>, and of each of <see cref="Hosts"/> that names none.</summary>
    [Range(1, 65535)]
    public ushort Port { get; set; } = 5672;

    /// <summary>
    /// The nodes of a RabbitMQ cluster, each <c>host</c> or <c>host:port</c> (environment: <c>Messaging__RabbitMq__Hosts__0</c>,
    /// <c>__1</c>, …). A service connects to one of them and, when that node goes away, to the next: the loss of a node
    /// costs a reconnection instead of an outage lasting until that one node is back.
    /// </summary>
    public List<string> Hosts { get; set; } = [];

    public string VirtualHost { get; set; } = "/";

    [Required]
    public string Username { get; set; } = "guest";

    /// <summary>
    /// A secret like any other (issue 16: at least 32 characters, no placeholder) unless every node is on this machine
    /// (<c>localhost</c>, a loopback address): a developer's or a test's broker, whose <c>guest</c> RabbitMQ accepts
    /// from loopback only anyway.
    /// </summary>
    [Required]
    public string Password { get; set; } = "guest";

    /// <summary>TLS to the broker (amqps): <c>Messaging:RabbitMq:Tls:{Enabled,ServerName,CaCertificatePath}</c>.</summary>
    [Required]
    public RabbitMqTlsOptions Tls { get; set; } = new();

    /// <summary>The nodes to connect to, in the order given: each of <see cref="Hosts"/>, or <see cref="Host"/> alone.</summary>
    public IReadOnlyList<BrokerNode> Nodes() =>
        Hosts.Count == 0 ? [new BrokerNode(Host, Port)] : Hosts.Select(h => BrokerNode.Parse(h, Port) ?? throw new FormatException(h)).ToList();

    /// <summary>
    /// A plain AMQP connection beside the bus, for the topology MassTransit does not declare itself (the dead-letter queue,
    /// the services' reply exchanges). Any node of a cluster will do: the client tries them in random order until one answers.
    /// </summary>
    public Task<IConnection> ConnectAsync(string clientName, CancellationToken ct) =>
        new ConnectionFactory { VirtualHost = VirtualHost, UserName = Username, Password = Password, ClientProvidedName = clientName }
            .CreateConnectionAsync(Nodes().Select(n => new AmqpTcpEndpoint(n.Host, n.Port, BrokerTls.SslOption(Tls, n.Host))).ToList(), ct);

    internal IEnumerable<ValidationResult> Validate(string section)
    {
        if (Hosts.Count == 0 && string.IsNullOrWhiteSpace(Host))
        {
            yield return new ValidationResult($"{section}:{nameof(Host)} is empty (and no {section}:{nameof(Hosts)} are given).", [nameof(Host)]);
        }

        if (Port == 0)
        {
            yield return new ValidationResult($"{section}:{nameof(Port)} must be a port number (1–65535).", [nameof(Port)]);
        }

        var malformed = false;
        for (var i = 0; i < Hosts.Count; i++)
        {
            if (BrokerNode.Parse(Hosts[i], Port) is null)
            {
                malformed = true;
                yield return new ValidationResult(
                    $"{section}:{nameof(Hosts)}:{i} is '{Hosts[i]}': expected host or host:port, with a port from 1 to 65535.", [nameof(Hosts)]);
            }
        }

        if (Tls.Enabled && !string.IsNullOrWhiteSpace(Tls.CaCertificatePath) && !File.Exists(Tls.CaCertificatePath))
        {
            yield return new ValidationResult($"{section}:Tls:CaCertificatePath names no file ({Tls.CaCertificatePath}): mount the broker's CA certificate (PEM) there.", [nameof(Tls)]);
        }

        if (!malformed && !Nodes().All(n => Secrets.IsLocalHost(n.Host))
            && Secrets.Problem($"{section}:{nameof(Password)}", Password) is { } weak)
        {
            yield return new ValidationResult(weak, [nameof(Password)]);
        }
    }
}

/// <summary>One RabbitMQ node a service may connect to.</summary>
public sealed record BrokerNode(string Host, ushort Port)
{
    /// <summary><c>host</c> or <c>host:port</c> (MassTransit's cluster node syntax, hence no IPv6 literal); null when malformed.</summary>
    public static BrokerNode? Parse(string? text, ushort defaultPort)
    {
        var parts = (text ?? string.Empty).Trim().Split(':');
        if (parts[0].Length == 0 || parts[0].Any(char.IsWhiteSpace) || parts.Length > 2)
        {
            return null;
        }

        if (parts.Length == 1)
        {
            return new BrokerNode(parts[0], defaultPort);
        }

        return ushort.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port > 0
            ? new BrokerNode(parts[0], port)
            : null;
    }

    public override string ToString() => $"{Host}:{Port}";
}
