using System.Text.RegularExpressions;

namespace Notifiche.Messaging;

/// <summary>
/// Where broker submissions come in and replies go out — the one owner of these names (the gateway declares them,
/// <see cref="BrokerUsers"/> grants them, the deployment files and specs read them from here). Each PA service
/// publishes to its own ingress exchange <see cref="ServiceExchange"/>, which the gateway declares and binds to
/// <see cref="Exchange"/> when the service is registered; its broker user is named after its service id and may write
/// only there, read only its own replies and own only queues prefixed with its id (<see cref="Permissions"/>).
/// </summary>
public static class IngressTopology
{
    /// <summary>
    /// The gateway's fanout exchange every service's ingress exchange is bound to, in front of <see cref="Queue"/>.
    /// No PA service may publish to it directly (issue 16, point 2).
    /// </summary>
    public const string Exchange = "notifiche.ingress";

    /// <summary>The gateway's queue behind <see cref="Exchange"/>.</summary>
    public const string Queue = "submit-notice";

    /// <summary>Prefix of every service's ingress exchange.</summary>
    public const string ServiceExchangePrefix = Exchange + ".";

    /// <summary>Prefix of every service's reply exchange.</summary>
    public const string ReplyExchangePrefix = "notifiche.replies.";

    /// <summary>A service's own ingress exchange (fanout, durable): the one place its broker user may publish.</summary>
    public static string ServiceExchange(string serviceId) => ServiceExchangePrefix + serviceId;

    /// <summary>Fanout exchange the gateway sends a service's replies to; the service binds its own queue to it.</summary>
    public static string ReplyExchange(string serviceId) => ReplyExchangePrefix + serviceId;

    public static Uri ReplyAddress(string serviceId) => new($"exchange:{ReplyExchange(serviceId)}?type=fanout");

    /// <summary>
    /// RabbitMQ permission patterns (configure, write, read) for the broker user of <paramref name="serviceId"/>: write on
    /// its own ingress exchange and its own queues only, read on its reply exchange and its own queues, configure on its
    /// own queues only — nothing shared, so it cannot delete or redeclare what another service or the gateway uses.
    /// </summary>
    public static (string Configure, string Write, string Read) Permissions(string serviceId)
    {
        var ingress = Regex.Escape(ServiceExchange(serviceId));
        var replies = Regex.Escape(ReplyExchange(serviceId));
        var own = Regex.Escape(serviceId) + @"\..*";
        return ($"^({own})$", $"^({ingress}|{own})$", $"^({replies}|{own})$");
    }
}
