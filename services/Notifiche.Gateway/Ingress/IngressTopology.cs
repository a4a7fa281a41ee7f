using System.Text.RegularExpressions;

namespace Notifiche.Gateway.Ingress;

/// <summary>
/// Where broker submissions come in and replies go out. A service's broker user is named after its service id; its
/// permissions (<see cref="Permissions"/>) let it publish only on the ingress exchange, read only its own replies and
/// own only queues prefixed with its id.
/// </summary>
public static class IngressTopology
{
    /// <summary>Fanout exchange services publish <c>SubmitNotice</c> to.</summary>
    public const string Exchange = "notifiche.ingress";

    /// <summary>The gateway's queue behind <see cref="Exchange"/>.</summary>
    public const string Queue = "submit-notice";

    /// <summary>Fanout exchange the gateway sends a service's replies to; the service binds its own queue to it.</summary>
    public static string ReplyExchange(string serviceId) => $"notifiche.replies.{serviceId}";

    public static Uri ReplyAddress(string serviceId) => new($"exchange:{ReplyExchange(serviceId)}?type=fanout");

    /// <summary>RabbitMQ permission patterns (configure, write, read) for the broker user of <paramref name="serviceId"/>.</summary>
    public static (string Configure, string Write, string Read) Permissions(string serviceId)
    {
        var ingress = Regex.Escape(Exchange);
        var replies = Regex.Escape(ReplyExchange(serviceId));
        var own = Regex.Escape(serviceId) + @"\..*";
        return ($"^({ingress}|{replies}|{own})$", $"^({ingress}|{own})$", $"^({replies}|{own})$");
    }
}
