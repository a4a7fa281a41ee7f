using MassTransit;
using Notifiche.Contracts;

namespace Notifiche.Messaging;

/// <summary>
/// The queue each event of the platform is consumed from: the endpoint name its consumer gets (kebab-case of the
/// consumer's name, or its definition's). Like <see cref="CommandQueues"/>, the publish topology binds each queue to
/// its event's exchange, declared exactly as the consumer declares it: an event a first deployment publishes before
/// its consumer has ever started waits in the queue instead of being dropped by an exchange with nothing bound.
/// A name here that no consumer uses would collect messages nobody reads: the end-to-end specs check each has a consumer.
/// </summary>
public static class EventQueues
{
    public const string NoticeSubmitted = "notice-submitted";
    public const string PushTokenRejected = "push-token-rejected";
    public const string TelegramChatRejected = "telegram-chat-rejected";
    public const string NoticeRouted = "notice-routed";
    public const string NotificationSent = "notification-sent";
    public const string NotificationFailed = "notification-failed";
    public const string NotificationExpired = "notification-expired";
    public const string DispatchAttemptFailed = "dispatch-attempt-failed";
    public const string SendEmailFault = "send-email-fault";
    public const string SendSmsFault = "send-sms-fault";
    public const string SendPushFault = "send-push-fault";
    public const string SendTelegramFault = "send-telegram-fault";
    public const string StatusCallback = "status-callback";

    /// <summary>The gateway's queues of per-channel outcomes, which it applies only once the notice is routed.</summary>
    public static readonly IReadOnlyList<string> ChannelOutcomes =
    [
        NotificationSent, NotificationFailed, NotificationExpired, DispatchAttemptFailed, SendEmailFault, SendSmsFault, SendPushFault,
        SendTelegramFault,
    ];

    internal static void DeclareFor(IRabbitMqBusFactoryConfigurator cfg)
    {
        QueueArguments.BindOnPublish<NoticeSubmitted>(cfg, NoticeSubmitted);
        QueueArguments.BindOnPublish<PushTokenRejected>(cfg, PushTokenRejected);
        QueueArguments.BindOnPublish<TelegramChatRejected>(cfg, TelegramChatRejected);
        QueueArguments.BindOnPublish<NoticeRouted>(cfg, NoticeRouted);
        QueueArguments.BindOnPublish<NotificationSent>(cfg, NotificationSent);
        QueueArguments.BindOnPublish<NotificationFailed>(cfg, NotificationFailed);
        QueueArguments.BindOnPublish<NotificationExpired>(cfg, NotificationExpired);
        QueueArguments.BindOnPublish<DispatchAttemptFailed>(cfg, DispatchAttemptFailed);
        QueueArguments.BindOnPublish<Fault<SendEmail>>(cfg, SendEmailFault);
        QueueArguments.BindOnPublish<Fault<SendSms>>(cfg, SendSmsFault);
        QueueArguments.BindOnPublish<Fault<SendPush>>(cfg, SendPushFault);
        QueueArguments.BindOnPublish<Fault<SendTelegram>>(cfg, SendTelegramFault);
        QueueArguments.BindOnPublish<NoticeStatusChanged>(cfg, StatusCallback);
    }
}
