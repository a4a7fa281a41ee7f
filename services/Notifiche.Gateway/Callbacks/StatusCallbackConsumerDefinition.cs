using MassTransit;
using Microsoft.Extensions.Options;

namespace Notifiche.Gateway.Callbacks;

/// <summary>
/// The <c>status-callback</c> endpoint. A callback being retried holds its message (unacknowledged, no thread) for up
/// to the retry period, so the endpoint takes many at once: one service's receiver being down must not keep the other
/// services' callbacks waiting behind its own.
/// </summary>
public sealed class StatusCallbackConsumerDefinition : ConsumerDefinition<StatusCallbackConsumer>
{
    public StatusCallbackConsumerDefinition(IOptions<CallbackOptions> options)
    {
        var concurrent = options.Value.ConcurrentDeliveries;
        Endpoint(e =>
        {
            e.Name = StatusCallbackConsumer.Queue;
            e.PrefetchCount = concurrent;
            e.ConcurrentMessageLimit = concurrent;
        });
    }
}
