using MassTransit;
using Notifiche.Contracts;

namespace Notifiche.Messaging;

/// <summary>
/// The queue each command is consumed from. Commands are published to their message-type exchange and the
/// publish topology binds the command's queue, declared exactly as the consumer declares it (quorum): so a
/// command waits durably in its queue even before its dispatcher has ever started, and sender and consumer
/// never disagree on the queue's arguments (sending by <c>queue:</c> address would declare a classic queue).
/// </summary>
public static class CommandQueues
{
    public const string SendEmail = "send-email";
    public const string SendSms = "send-sms";
    public const string SendPush = "send-push";

    internal static void DeclareFor(IRabbitMqBusFactoryConfigurator cfg)
    {
        cfg.Publish<SendEmail>(p => p.BindQueue(SendEmail, SendEmail, q => QueueArguments.Apply(q)));
        cfg.Publish<SendSms>(p => p.BindQueue(SendSms, SendSms, q => QueueArguments.Apply(q)));
        cfg.Publish<SendPush>(p => p.BindQueue(SendPush, SendPush, q => QueueArguments.Apply(q)));
    }
}
