using System.ComponentModel.DataAnnotations;
using Notifiche.Messaging;

namespace Notifiche.Gateway.Callbacks;

/// <summary>Bound from <c>Gateway:Callbacks</c>. How long a callback is retried is <c>Messaging:EndpointRetry:status-callback</c>.</summary>
public sealed class CallbackOptions
{
    public const string Section = "Gateway:Callbacks";

    /// <summary>Accept plain http:// callback URLs: only for tests and the standalone demo, never in production.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.20.0.0/16</c>) callbacks may reach besides public addresses: by default none, so no
    /// loopback, private, shared (100.64/10), link-local (the cloud metadata endpoint) or reserved address is reachable.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>
    /// How long a gateway instance trusts its list of services with a callback (<see cref="CallbackDirectory"/>): a
    /// callback registered through another instance gets the status changes this instance applies from this long after.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan DirectoryCacheFor { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time one POST to a service's receiver may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Callbacks delivered (or waiting for their next retry) at once by one gateway instance.</summary>
    [Range(1, 10_000)]
    public int ConcurrentDeliveries { get; set; } = 200;

    /// <summary>
    /// Default retry of a callback: exponential back-off from 2 s to 2 min, 12 retries, about a quarter of an hour in all —
    /// within RabbitMQ's consumer timeout, as the message stays unacknowledged meanwhile. Then it is dead-lettered
    /// (<c>status-callback_error</c>) and recorded as <c>callback_failed</c>.
    /// </summary>
    public static RetryOptions DefaultRetry => new()
    {
        Limit = 12, MinInterval = TimeSpan.FromSeconds(2), MaxInterval = TimeSpan.FromMinutes(2), Delta = TimeSpan.FromSeconds(4),
    };
}
