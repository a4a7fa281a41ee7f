using System.Diagnostics;
using Notifiche.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Notifiche.Benchmark;

/// <summary>
/// The broker's own limit on this machine, measured in the same run: persistent messages with publisher confirms
/// (published in batches, each batch awaited for its confirms) through one quorum queue to one consumer with manual
/// acks, with RabbitMQ.Client directly. Rate = messages / (first publish → last ack).
/// </summary>
public static class RawBaseline
{
    public sealed record Result(int Messages, double Seconds, double PublishSeconds)
    {
        public double Rate => Messages / Seconds;
    }

    public static async Task<Result> RunAsync(RabbitMqTestVhost vhost, int messages, int batch, int bodyBytes, ushort prefetch, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            HostName = TestEnvironment.RabbitMqHost,
            Port = TestEnvironment.RabbitMqPort,
            VirtualHost = vhost.Name,
            UserName = TestEnvironment.RabbitMqUser,
            Password = TestEnvironment.RabbitMqPassword,
            ClientProvidedName = "notifiche-bench-raw",
        };
        await using var publisherConnection = await factory.CreateConnectionAsync(ct);
        await using var consumerConnection = await factory.CreateConnectionAsync(ct);
        await using var publisher = await publisherConnection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
                outstandingPublisherConfirmationsRateLimiter: new ThrottlingRateLimiter(batch * 2)), ct);
        await using var consumer = await consumerConnection.CreateChannelAsync(cancellationToken: ct);

        const string queue = "bench-raw";
        await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: ct);
        await consumer.BasicQosAsync(0, prefetch, false, ct);

        var received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new AsyncEventingBasicConsumer(consumer);
        handler.ReceivedAsync += async (_, delivery) =>
        {
            await consumer.BasicAckAsync(delivery.DeliveryTag, multiple: false, ct);
            if (Interlocked.Increment(ref received) == messages)
            {
                done.TrySetResult();
            }
        };
        await consumer.BasicConsumeAsync(queue, autoAck: false, handler, ct);

        var body = new byte[bodyBytes];
        Random.Shared.NextBytes(body);
        var props = new BasicProperties { Persistent = true, ContentType = "application/octet-stream" };
        var progress = Stopwatch.StartNew();
        var started = Stopwatch.GetTimestamp();
        var pending = new List<ValueTask>(batch);
        for (var sent = 0; sent < messages;)
        {
            pending.Clear();
            var n = Math.Min(batch, messages - sent);
            for (var i = 0; i < n; i++)
            {
                pending.Add(publisher.BasicPublishAsync(string.Empty, queue, mandatory: false, props, body, ct));
            }

            foreach (var confirm in pending)
            {
                await confirm; // completes when the broker confirmed the message (throws on nack)
            }

            sent += n;
            if (progress.Elapsed > TimeSpan.FromSeconds(3))
            {
                Console.WriteLine($"  raw: {sent:N0}/{messages:N0} published and confirmed, {Volatile.Read(ref received):N0} acked");
                progress.Restart();
            }
        }

        var publishSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5), ct);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await publisher.QueueDeleteAsync(queue, cancellationToken: ct);
        return new Result(messages, seconds, publishSeconds);
    }
}
