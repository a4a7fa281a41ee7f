using Notifiche.Messaging;

namespace Notifiche.Dlq;

/// <summary><c>list</c>: the dead-letter queues with their counts, or the messages of one queue (ids, type, notice, age, reason).</summary>
public static class ListVerb
{
    public static async Task<int> QueuesAsync(BrokerSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        await using var broker = await BrokerSession.OpenAsync(settings, cancellationToken);
        var queues = await broker.DeadLetterQueuesAsync(cancellationToken);
        if (queues.Count == 0)
        {
            output.WriteLine($"No dead-letter queues in vhost '{settings.VirtualHost}' (none ending in {DeadLetterQueues.ErrorSuffix} or "
                + $"{DeadLetterQueues.SkippedSuffix}, no {DeadLetters.Queue}).");
            return ExitCodes.Ok;
        }

        var table = new TextTable("QUEUE", "MESSAGES", "REPLAYS TO");
        long total = 0;
        foreach (var queue in queues)
        {
            // Counted over AMQP: exact now, where the management API's statistics lag by seconds.
            var count = await broker.MessageCountAsync(queue, cancellationToken);
            total += count ?? 0;
            table.Add(queue, count?.ToString() ?? "(gone)", DeadLetterQueues.SourceOf(queue) ?? "the queue in each message's x-death");
        }

        output.WriteLine($"Dead-letter queues in vhost '{settings.VirtualHost}':");
        table.WriteTo(output);
        output.WriteLine($"{total} message(s) in all. 'notifiche-dlq list --queue <name>' lists the messages of one queue.");
        return ExitCodes.Ok;
    }

    public static async Task<int> MessagesAsync(BrokerSettings settings, string queue, int limit, TextWriter output, CancellationToken cancellationToken)
    {
        await using var broker = await BrokerSession.OpenAsync(settings, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var table = new TextTable("#", "MESSAGE ID", "TYPE", "NOTICE ID", "AGE", "DELIVERIES", "REASON");
        uint count;
        var listed = 0;
        var nearLimit = 0;
        await using (var pass = await DeadLetterPass.StartAsync(broker, queue, cancellationToken))
        {
            count = pass.Count;
            while (listed < limit && await pass.NextAsync(cancellationToken) is { } delivery)
            {
                var message = delivery.Message;
                listed++;
                if (message.Deliveries >= QueueArguments.DeliveryLimit - 2)
                {
                    nearLimit++;
                }

                table.Add(delivery.Position.ToString(), message.MessageId ?? "-",
                    message.Envelope.ShortType ?? (message.Envelope.IsJson ? "(no envelope)" : "(not JSON)"), message.Envelope.NoticeId ?? "-",
                    Ages.Format(message.DeadLetteredAt, now), (message.Deliveries + 1).ToString(), Redaction.Truncate(message.Reason));
            }
        }

        output.WriteLine($"{queue}: {count} message(s){(listed < count ? $", the first {listed} shown (--limit)" : "")}; "
            + $"replay target: {(DeadLetterQueues.SourceOf(queue) ?? "the queue in each message's x-death")}");
        if (listed > 0)
        {
            table.WriteTo(output);
        }

        if (nearLimit > 0 && queue != DeadLetters.Queue)
        {
            output.WriteLine($"Note: {nearLimit} message(s) are near the queue's delivery limit ({QueueArguments.DeliveryLimit}); every read counts "
                + $"as a delivery, and past the limit the broker moves a message to {DeadLetters.Queue} (replay still finds its way back).");
        }

        return ExitCodes.Ok;
    }
}
