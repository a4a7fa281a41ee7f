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
    [Range(0, 20)]
    public int Limit { get; set; } = 6;

    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Step (and jitter) added at each attempt.</summary>
    public TimeSpan Delta { get; set; } = TimeSpan.FromMilliseconds(500);
}
