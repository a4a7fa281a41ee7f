using MassTransit;

namespace Notifiche.Messaging;

/// <summary>
/// The arguments every queue of ours is declared with — one place, because RabbitMQ refuses a redeclaration that
/// differs, and every service declares the queues it sends to. Constants, not settings, for the same reason.
/// </summary>
public static class QueueArguments
{
    /// <summary>The queues' <c>x-delivery-limit</c>: <see cref="DeliveryPolicy.BrokerDeliveryLimit"/>.</summary>
    public const int DeliveryLimit = DeliveryPolicy.BrokerDeliveryLimit;

    public static void Apply(IRabbitMqQueueConfigurator queue)
    {
        queue.SetQuorumQueue();
        queue.SetQueueArgument("x-delivery-limit", DeliveryLimit);
        queue.SetQueueArgument("x-dead-letter-exchange", DeadLetters.Exchange);
    }

    /// <summary>
    /// Binds <paramref name="queue"/> to the exchange <typeparamref name="T"/> is published to, declared exactly as its
    /// consumer declares it, whenever this bus publishes a <typeparamref name="T"/>: the message waits in its queue even
    /// before its consumer has ever started (<see cref="CommandQueues"/>, <see cref="EventQueues"/>).
    /// </summary>
    internal static void BindOnPublish<T>(IRabbitMqBusFactoryConfigurator cfg, string queue)
        where T : class =>
        cfg.Publish<T>(p => p.BindQueue(p.Exchange.ExchangeName, queue, q => Apply(q)));

    /// <summary>
    /// <c>&lt;queue&gt;_error</c> and <c>&lt;queue&gt;_skipped</c> copy their endpoint's arguments; they must not keep the
    /// delivery limit: every inspection that returns a message to them (an SRE listing it) counts as a delivery.
    /// </summary>
    public static void ApplyToDeadLetterQueue(IRabbitMqQueueConfigurator queue)
    {
        queue.SetQueueArgument("x-delivery-limit", null);
        queue.SetQueueArgument("x-dead-letter-exchange", null);
    }
}
