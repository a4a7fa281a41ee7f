using MassTransit;
using Notifiche.Contracts;

namespace Notifiche.Messaging;

/// <summary>
/// The queue each command is consumed from. Commands are published to their message-type exchange and the
/// publish topology binds the command's queue to it, declared exactly as the consumer declares it (quorum): so a
/// command waits durably in its queue even before its dispatcher has ever started, and sender and consumer
/// never disagree on the queue's arguments (sending by <c>queue:</c> address would declare a classic queue).
/// </summary>
public static class CommandQueues
{
    public const string SendEmail = "send-email";
    public const string SendSms = "send-sms";
    public const string SendPush = "send-push";
    public const string SendTelegram = "send-telegram";
    /// <summary>The gateway's own queue of released campaign rows (issue 18 point 6): published and consumed by the gateway.</summary>
    public const string CampaignAdmission = "campaign-admission";

    /// <summary>The channel each dispatch command queue delivers on.</summary>
    public static readonly IReadOnlyDictionary<string, string> DispatchChannels = new Dictionary<string, string>
    {
        [SendEmail] = Channels.Email, [SendSms] = Channels.Sms, [SendPush] = Channels.Push,
        [SendTelegram] = Channels.Telegram,
    };

    /// <summary>Binds the command queues at publish time.</summary>
    // The queue is bound straight to the message-type exchange the command is published to. The consumer's endpoint
    // adds its own path (type exchange → queue-named exchange → queue); RabbitMQ still delivers one copy per queue.
    internal static void DeclareFor(IRabbitMqBusFactoryConfigurator cfg)
    {
        QueueArguments.BindOnPublish<SendEmail>(cfg, SendEmail);
        QueueArguments.BindOnPublish<SendSms>(cfg, SendSms);
        QueueArguments.BindOnPublish<SendPush>(cfg, SendPush);
        QueueArguments.BindOnPublish<SendTelegram>(cfg, SendTelegram);
        QueueArguments.BindOnPublish<AdmitCampaignRow>(cfg, CampaignAdmission);
    }
}
