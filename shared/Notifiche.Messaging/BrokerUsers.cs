using System.Text.RegularExpressions;
using Notifiche.Contracts;

namespace Notifiche.Messaging;

/// <summary>
/// The broker user of each platform service and what it may touch (issue 16, point 2): the queues it consumes (with
/// their <c>_error</c> and <c>_skipped</c> queues and the exchanges of the same names), the message-type exchanges of
/// what it consumes and publishes (and of the faults it may publish), the queues it binds when it publishes
/// (<see cref="CommandQueues"/>, <see cref="EventQueues"/>) and the dead-letter exchange and queue every service declares.
/// Nothing else: a dispatcher cannot read, bind, declare or delete another dispatcher's queue, the ingress or a service's
/// replies. Taken from the topology the services declare (MassTransit's entity names for the contracts); the deployment
/// files (deploy/rabbitmq/definitions.json, deploy/kubernetes/broker-users.yaml) are checked against this list.
/// </summary>
public static class BrokerUsers
{
    public const string Gateway = "notifiche-gateway";
    public const string Preferences = "notifiche-preferences";
    public const string DispatchEmail = "notifiche-dispatch-email";
    public const string DispatchSms = "notifiche-dispatch-sms";
    public const string DispatchPush = "notifiche-dispatch-push";
    public const string DispatchTelegram = "notifiche-dispatch-telegram";

    /// <summary>Every platform service's user, by the service's application name.</summary>
    public static readonly IReadOnlyDictionary<string, BrokerUser> ByService = new Dictionary<string, BrokerUser>
    {
        ["Notifiche.Gateway"] = new(Gateway, ["impersonator"],
            Consumes:
            [
                (IngressTopology.Queue, typeof(SubmitNotice)), (EventQueues.NoticeRouted, typeof(NoticeRouted)),
                (EventQueues.NotificationSent, typeof(NotificationSent)), (EventQueues.NotificationFailed, typeof(NotificationFailed)),
                (EventQueues.NotificationExpired, typeof(NotificationExpired)), (EventQueues.DispatchAttemptFailed, typeof(DispatchAttemptFailed)),
                (EventQueues.SendEmailFault, typeof(MassTransit.Fault<SendEmail>)), (EventQueues.SendSmsFault, typeof(MassTransit.Fault<SendSms>)),
                (EventQueues.SendPushFault, typeof(MassTransit.Fault<SendPush>)), (EventQueues.SendTelegramFault, typeof(MassTransit.Fault<SendTelegram>)),
                (EventQueues.StatusCallback, typeof(NoticeStatusChanged)), (CommandQueues.CampaignAdmission, typeof(AdmitCampaignRow)),
            ],
            Publishes:
            [
                (typeof(NoticeSubmitted), EventQueues.NoticeSubmitted), (typeof(NoticeStatusChanged), EventQueues.StatusCallback),
                (typeof(AdmitCampaignRow), CommandQueues.CampaignAdmission),
            ],
            // Its ingress exchange, and the ingress and reply exchanges of each PA service, which it declares and binds.
            Patterns:
            [
                Regex.Escape(IngressTopology.Exchange), Regex.Escape(IngressTopology.ServiceExchangePrefix) + "[a-z0-9-]+",
                Regex.Escape(IngressTopology.ReplyExchangePrefix) + "[a-z0-9-]+",
            ]),
        ["Notifiche.Preferences"] = new(Preferences, [],
            Consumes:
            [
                (EventQueues.NoticeSubmitted, typeof(NoticeSubmitted)), (EventQueues.PushTokenRejected, typeof(PushTokenRejected)),
                (EventQueues.TelegramChatRejected, typeof(TelegramChatRejected)),
            ],
            Publishes:
            [
                (typeof(NoticeRouted), EventQueues.NoticeRouted), (typeof(NotificationExpired), EventQueues.NotificationExpired),
                // A deferred dispatch withdrawn because the citizen's profile was erased.
                (typeof(NotificationFailed), EventQueues.NotificationFailed),
                // A notice held until its citizen registered, routed again once the profile exists (issue 17 point 6).
                (typeof(NoticeSubmitted), EventQueues.NoticeSubmitted),
                (typeof(SendEmail), CommandQueues.SendEmail), (typeof(SendSms), CommandQueues.SendSms),
                (typeof(SendPush), CommandQueues.SendPush), (typeof(SendTelegram), CommandQueues.SendTelegram),
            ],
            Patterns: []),
        ["Notifiche.Dispatch.Email"] = Dispatcher(DispatchEmail, CommandQueues.SendEmail, typeof(SendEmail), EventQueues.SendEmailFault),
        ["Notifiche.Dispatch.Sms"] = Dispatcher(DispatchSms, CommandQueues.SendSms, typeof(SendSms), EventQueues.SendSmsFault),
        ["Notifiche.Dispatch.Push"] = Dispatcher(DispatchPush, CommandQueues.SendPush, typeof(SendPush), EventQueues.SendPushFault,
            (typeof(PushTokenRejected), EventQueues.PushTokenRejected)),
        ["Notifiche.Dispatch.Telegram"] = Dispatcher(DispatchTelegram, CommandQueues.SendTelegram, typeof(SendTelegram), EventQueues.SendTelegramFault,
            (typeof(TelegramChatRejected), EventQueues.TelegramChatRejected)),
    };

    private static BrokerUser Dispatcher(string user, string queue, Type command, string faultQueue, params (Type Message, string Queue)[] more) =>
        new(user, [],
            Consumes: [(queue, command)],
            Publishes:
            [
                (typeof(NotificationSent), EventQueues.NotificationSent), (typeof(NotificationFailed), EventQueues.NotificationFailed),
                (typeof(NotificationExpired), EventQueues.NotificationExpired), (typeof(DispatchAttemptFailed), EventQueues.DispatchAttemptFailed),
                (typeof(MassTransit.Fault<>).MakeGenericType(command), faultQueue), .. more,
            ],
            Patterns: []);
}

/// <summary>
/// One platform service's broker user. <see cref="Permission"/> is its configure, write and read pattern alike: each
/// name in it is one the service declares, binds, publishes to or consumes from (a binding needs write on its
/// destination and read on its source, both of which are the service's own names), and no name outside it.
/// </summary>
public sealed record BrokerUser(
    string Name, IReadOnlyList<string> Tags, IReadOnlyList<(string Queue, Type Message)> Consumes,
    IReadOnlyList<(Type Message, string Queue)> Publishes, IReadOnlyList<string> Patterns)
{
    /// <summary>The exact exchange and queue names this user may use (besides <see cref="Patterns"/>).</summary>
    public IReadOnlyList<string> Names()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal) { DeadLetters.Exchange, DeadLetters.Queue };
        foreach (var (queue, message) in Consumes)
        {
            names.UnionWith([queue, $"{queue}_error", $"{queue}_skipped", EntityName(message), FaultName(EntityName(message))]);
        }

        foreach (var (message, queue) in Publishes)
        {
            names.UnionWith([EntityName(message), queue]);
        }

        return [.. names];
    }

    /// <summary>The configure, write and read pattern: exactly <see cref="Names"/> and <see cref="Patterns"/>.</summary>
    public string Permission => $"^({string.Join("|", Names().Select(Regex.Escape).Concat(Patterns))})$";

    /// <summary>MassTransit's exchange name for a message type (its message URN without the prefix).</summary>
    public static string EntityName(Type message) =>
        message.IsGenericType
            ? $"{message.Namespace}:{message.Name[..message.Name.IndexOf('`')]}" + string.Concat(message.GetGenericArguments().Select(a => $"--{EntityName(a)}--"))
            : $"{message.Namespace}:{message.Name}";

    private static string FaultName(string entity) => $"MassTransit:Fault--{entity}--";
}
