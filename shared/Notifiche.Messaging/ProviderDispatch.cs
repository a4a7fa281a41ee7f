using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Notifiche.Messaging;

/// <summary>A dispatcher that calls a paid provider from one of the <see cref="DeliveryPolicy.ProviderQueues"/>.</summary>
public static class ProviderDispatch
{
    /// <summary>
    /// Adds <typeparamref name="TConsumer"/> on <paramref name="queue"/> with the provider queues' kill switch, its
    /// settings from <paramref name="killSwitch"/> (the dispatcher's options: <c>Sms:KillSwitch</c>, <c>Push:KillSwitch</c>).
    /// </summary>
    public static void AddProviderDispatchConsumer<TConsumer>(
        this IBusRegistrationConfigurator bus, string queue, Func<IServiceProvider, KillSwitchSettings> killSwitch)
        where TConsumer : class, IConsumer
    {
        if (!DeliveryPolicy.ProviderQueues.Contains(queue))
        {
            throw new ArgumentException($"{queue} is not one of the provider queues of {nameof(DeliveryPolicy)}.", nameof(queue));
        }

        bus.TryAddSingleton(sp => new ProviderDispatchEndpoint<TConsumer>(queue, killSwitch(sp)));
        // The kill switch's state as a gauge, one for the host (the standalone has two provider dispatchers).
        bus.TryAddSingleton<KillSwitchGauge>();

        bus.AddConsumer<TConsumer, ProviderDispatchConsumerDefinition<TConsumer>>();
    }
}

/// <summary>Where a provider dispatcher consumes, and its kill switch.</summary>
public sealed record ProviderDispatchEndpoint<TConsumer>(string Queue, KillSwitchSettings KillSwitch)
    where TConsumer : class, IConsumer;

/// <summary>
/// The endpoint of a provider dispatcher (<c>send-sms</c>, <c>send-push</c>): its queue, and a kill switch that stops
/// consuming while the provider is down (<see cref="DeliveryPolicy"/>). Only transient failures count: a permanent one (a
/// bad number, a rejected token) never trips it.
/// </summary>
public sealed class ProviderDispatchConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    private readonly KillSwitchSettings _killSwitch;

    public ProviderDispatchConsumerDefinition(ProviderDispatchEndpoint<TConsumer> endpoint)
    {
        _killSwitch = endpoint.KillSwitch;
        EndpointName = endpoint.Queue;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConnectReceiveEndpointObserver(context.GetRequiredService<KillSwitchGauge>());
        endpointConfigurator.UseKillSwitch(k => k
            .SetActivationThreshold(_killSwitch.ActivationThreshold)
            .SetTripThreshold(_killSwitch.TripThresholdPercent)
            .SetTrackingPeriod(_killSwitch.TrackingPeriod)
            .SetRestartTimeout(_killSwitch.RestartTimeout)
            .SetExceptionFilter(f => f.Handle<TransientFailureException>()));
    }
}
