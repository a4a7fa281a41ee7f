using MassTransit;

namespace Notifiche.Messaging;

/// <summary>The arguments every queue of ours is declared with; one place, because RabbitMQ refuses a redeclaration that differs.</summary>
internal static class QueueArguments
{
    public static void Apply(IRabbitMqQueueConfigurator queue)
    {
        queue.SetQuorumQueue();
    }
}
