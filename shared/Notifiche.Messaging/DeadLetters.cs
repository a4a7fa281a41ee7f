using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Notifiche.Messaging;

/// <summary>
/// Where the broker dead-letters a message that exceeded <see cref="DeliveryPolicy.BrokerDeliveryLimit"/> (its <c>x-death</c>
/// header names the queue it came from): one quorum queue per virtual host, so nothing loops forever or vanishes.
/// </summary>
public static class DeadLetters
{
    public const string Exchange = "notifiche.dead-letters";
    public const string Queue = "notifiche.dead-letters";
}

/// <summary>
/// Declares the dead-letter exchange and queue before the bus starts: queues name it as their dead-letter exchange, and
/// a dead-lettered message is dropped if it does not exist. MassTransit declares only what its endpoints use, hence this.
/// </summary>
public sealed partial class DeadLetterTopology(IOptions<MessagingOptions> options, ILogger<DeadLetterTopology> logger) : IHostedService
{
    private const int Attempts = 30;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var rabbit = options.Value.RabbitMq;
        var factory = new ConnectionFactory
        {
            VirtualHost = rabbit.VirtualHost, UserName = rabbit.Username, Password = rabbit.Password, ClientProvidedName = "notifiche-topology",
        };
        // Any node of a cluster will do: the client tries them in random order until one answers.
        var endpoints = rabbit.Nodes().Select(n => new AmqpTcpEndpoint(n.Host, n.Port, BrokerTls.SslOption(rabbit.Tls, n.Host))).ToList();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync(endpoints, cancellationToken);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                await channel.ExchangeDeclareAsync(DeadLetters.Exchange, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken);
                await channel.QueueDeclareAsync(DeadLetters.Queue, durable: true, exclusive: false, autoDelete: false,
                    arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
                await channel.QueueBindAsync(DeadLetters.Queue, DeadLetters.Exchange, string.Empty, cancellationToken: cancellationToken);
                return;
            }
            catch (Exception e) when (attempt < Attempts && e is not OperationCanceledException)
            {
                LogBrokerUnreachable(attempt, Attempts, e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker unreachable while declaring the dead-letter queue (attempt {Attempt} of {Attempts}): {Error}")]
    private partial void LogBrokerUnreachable(int attempt, int attempts, string error);
}
