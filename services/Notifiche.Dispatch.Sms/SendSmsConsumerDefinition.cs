using MassTransit;
using Microsoft.Extensions.Options;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Sms;

/// <summary>
/// The <c>send-sms</c> endpoint: a kill switch stops consuming when too many commands fail transiently (the provider
/// is down), so commands wait in the queue; it restarts the endpoint after <see cref="KillSwitchSettings.RestartTimeout"/>.
/// Permanent failures (a bad number) never trip it.
/// </summary>
public sealed class SendSmsConsumerDefinition : ConsumerDefinition<SendSmsConsumer>
{
    private readonly KillSwitchSettings _killSwitch;

    public SendSmsConsumerDefinition(IOptions<SmsOptions> options)
    {
        _killSwitch = options.Value.KillSwitch;
        EndpointName = CommandQueues.SendSms;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<SendSmsConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseProviderKillSwitch(_killSwitch);
    }
}
