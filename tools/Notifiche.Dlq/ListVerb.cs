using System.Text.Encodings.Web;
using System.Text.Json;
using Notifiche.Messaging;

namespace Notifiche.Dlq;

/// <summary><c>list</c>: the dead-letter queues with their counts, or the messages of one queue (ids, type, notice, age, reason).</summary>
public static class ListVerb
{
    public const string Table = "table";
    public const string Json = "json";

    /// <summary>snake_case like the platform's APIs; readable non-ASCII (reasons are redacted before they get here).</summary>
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private sealed record QueueLine(string Name, uint? Messages, string? ReplaysTo);

    private sealed record QueuesDocument(string Vhost, IReadOnlyList<QueueLine> Queues, long Total);

    private sealed record MessageLine(int Position, string? MessageId, string? Type, string? NoticeId, DateTimeOffset? DeadLetteredAt,
        long Deliveries, string Reason);

    private sealed record MessagesDocument(string Queue, uint Count, int Shown, string? ReplaysTo, IReadOnlyList<MessageLine> Messages);

    public static async Task<int> QueuesAsync(BrokerSettings settings, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        await using var broker = await BrokerSession.OpenAsync(settings, cancellationToken);
        var lines = new List<QueueLine>();
        foreach (var queue in await broker.DeadLetterQueuesAsync(cancellationToken))
        {
            // Counted over AMQP: exact now, where the management API's statistics lag by seconds.
            lines.Add(new QueueLine(queue, await broker.MessageCountAsync(queue, cancellationToken), DeadLetterQueues.SourceOf(queue)));
        }

        var total = lines.Sum(l => (long)(l.Messages ?? 0));
        if (json)
        {
            // A queue gone meanwhile has null messages; null replays_to: the queue in each message's x-death.
            output.WriteLine(JsonSerializer.Serialize(new QueuesDocument(settings.VirtualHost, lines, total), JsonOptions));
            return ExitCodes.Ok;
        }

        if (lines.Count == 0)
        {
            output.WriteLine($"No dead-letter queues in vhost '{settings.VirtualHost}' (none ending in {DeadLetterQueues.ErrorSuffix} or "
                + $"{DeadLetterQueues.SkippedSuffix}, no {DeadLetters.Queue}).");
            return ExitCodes.Ok;
        }

        var table = new TextTable("QUEUE", "MESSAGES", "REPLAYS TO");
        foreach (var line in lines)
        {
            table.Add(line.Name, line.Messages?.ToString() ?? "(gone)", line.ReplaysTo ?? "the queue in each message's x-death");
        }

        output.WriteLine($"Dead-letter queues in vhost '{settings.VirtualHost}':");
        table.WriteTo(output);
        output.WriteLine($"{total} message(s) in all. 'notifiche-dlq list --queue <name>' lists the messages of one queue.");
        return ExitCodes.Ok;
    }

    public static async Task<int> MessagesAsync(BrokerSettings settings, string queue, int limit, bool json, TextWriter output,
        CancellationToken cancellationToken)
    {
        await using var broker = await BrokerSession.OpenAsync(settings, cancellationToken);
        var lines = new List<MessageLine>();
        uint count;
        var nearLimit = 0;
        await using (var pass = await DeadLetterPass.StartAsync(broker, queue, cancellationToken))
        {
            count = pass.Count;
            while (lines.Count < limit && await pass.NextAsync(cancellationToken) is { } delivery)
            {
                var message = delivery.Message;
                if (message.Deliveries >= QueueArguments.DeliveryLimit - 2)
                {
                    nearLimit++;
                }

                lines.Add(new MessageLine(delivery.Position, message.MessageId,
                    message.Envelope.ShortType ?? (message.Envelope.IsJson ? "(no envelope)" : "(not JSON)"), message.Envelope.NoticeId,
                    message.DeadLetteredAt, message.Deliveries + 1, Redaction.Truncate(message.Reason)));
            }
        }

        var replaysTo = DeadLetterQueues.SourceOf(queue);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new MessagesDocument(queue, count, lines.Count, replaysTo, lines), JsonOptions));
            return ExitCodes.Ok;
        }

        var now = DateTimeOffset.UtcNow;
        var table = new TextTable("#", "MESSAGE ID", "TYPE", "NOTICE ID", "AGE", "DELIVERIES", "REASON");
        foreach (var line in lines)
        {
            table.Add(line.Position.ToString(), line.MessageId ?? "-", line.Type!, line.NoticeId ?? "-", Ages.Format(line.DeadLetteredAt, now),
                line.Deliveries.ToString(), line.Reason);
        }

        output.WriteLine($"{queue}: {count} message(s){(lines.Count < count ? $", the first {lines.Count} shown (--limit)" : "")}; "
            + $"replay target: {replaysTo ?? "the queue in each message's x-death"}");
        if (lines.Count > 0)
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
