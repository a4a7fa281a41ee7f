using Microsoft.Extensions.Options;
using Notifiche.Messaging;
using RabbitMQ.Client;

namespace Notifiche.Gateway.Ingress;

/// <summary>
/// Declares a service's reply exchange (<see cref="IngressTopology.ReplyExchange"/>) when the service is registered or
/// activated, so that a client that is not MassTransit can bind its reply queue to it before its first submission: its
/// broker user may not declare exchanges, and without this the exchange existed only once the gateway had sent the first
/// reply. The same durable fanout exchange MassTransit would declare when sending. Nothing to do on the in-memory transport.
/// </summary>
public sealed partial class ReplyExchanges(IOptions<MessagingOptions> options, ILogger<ReplyExchanges> logger)
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
            await channel.ExchangeDeclareAsync(IngressTopology.ReplyExchange(serviceId), ExchangeType.Fanout, durable: true,
                autoDelete: false, cancellationToken: ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The registration stands: the exchange is declared by the first reply at the latest, or by activating the service again.
            LogNotDeclared(serviceId, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reply exchange of service {ServiceId} not declared (broker unreachable: {Error}); activate the service again to retry")]
    private partial void LogNotDeclared(string serviceId, string error);
}
