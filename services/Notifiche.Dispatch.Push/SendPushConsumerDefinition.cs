using MassTransit;
using Microsoft.Extensions.Options;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Push;

/// <summary>
/// The <c>send-push</c> endpoint: a kill switch stops consuming when too many commands fail transiently (the provider
/// is down), so commands wait in the queue; it restarts the endpoint after <see cref="KillSwitchSettings.RestartTimeout"/>.
/// Permanent failures (a rejected token) never trip it.
/// </summary>
public sealed class SendPushConsumerDefinition : ConsumerDefinition<SendPushConsumer>
{
    private readonly KillSwitchSettings _killSwitch;

    public SendPushConsumerDefinition(IOptions<PushOptions> options)
    {
        _killSwitch = options.Value.KillSwitch;
        EndpointName = CommandQueues.SendPush;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<SendPushConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseProviderKillSwitch(_killSwitch);
    }
}
