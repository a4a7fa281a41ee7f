using Microsoft.Extensions.Options;
using Notifiche.Messaging;
using RabbitMQ.Client;

namespace Notifiche.Gateway.Ingress;

/// <summary>
/// Declares a service's broker exchanges when the service is registered or activated: its own ingress exchange
/// (<see cref="IngressTopology.ServiceExchange"/>, bound to the gateway's <see cref="IngressTopology.Exchange"/>), the
/// only place its broker user may publish (issue 16, point 2), and its reply exchange
/// (<see cref="IngressTopology.ReplyExchange"/>), so that a client that is not MassTransit can bind its reply queue before
/// its first submission (issue 18). Its broker user may declare neither. Durable fanout exchanges, as MassTransit would
/// declare them; declaring again is harmless. Nothing to do on the in-memory transport.
/// </summary>
public sealed partial class ServiceExchanges(IOptions<MessagingOptions> options, ILogger<ServiceExchanges> logger)
{
    public async Task DeclareAsync(string serviceId, CancellationToken ct)
    {
        if (options.Value.Transport != MessagingTransport.RabbitMq)
        {
            return;
        }

        try
        {
            await using var connection = await options.Value.RabbitMq.ConnectAsync("notifiche-gateway-topology", ct);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            // The gateway's own ingress exchange first: on a fresh broker the bus may not have declared it yet.
            await channel.ExchangeDeclareAsync(IngressTopology.Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
            await channel.ExchangeDeclareAsync(IngressTopology.ServiceExchange(serviceId), ExchangeType.Fanout, durable: true,
                autoDelete: false, cancellationToken: ct);
            await channel.ExchangeBindAsync(IngressTopology.Exchange, IngressTopology.ServiceExchange(serviceId), string.Empty, null, false, ct);
            await channel.ExchangeDeclareAsync(IngressTopology.ReplyExchange(serviceId), ExchangeType.Fanout, durable: true,
                autoDelete: false, cancellationToken: ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The registration stands: activating the service again declares them.
            LogNotDeclared(serviceId, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker exchanges of service {ServiceId} not declared (broker unreachable: {Error}); activate the service again to retry")]
    private partial void LogNotDeclared(string serviceId, string error);
}
