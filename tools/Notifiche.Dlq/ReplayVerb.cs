using System.Diagnostics;
using Notifiche.Messaging;
using RabbitMQ.Client;

namespace Notifiche.Dlq;

/// <summary>
/// <c>replay</c>: moves selected dead letters back to the queue they came from. Each one is published (persistent,
/// confirmed) before it is acknowledged in the dead-letter queue: a crash in between leaves it in both places — a
/// duplicate the dispatchers' idempotency absorbs — and never in neither.
/// </summary>
public static class ReplayVerb
{
    /// <summary>Headers of the failed attempt: without them the replayed message starts afresh.</summary>
    private static readonly string[] StrippedPrefixes = ["MT-Fault-", "x-death", "x-first-death-", "x-last-death-"];
    private static readonly string[] StrippedHeaders = ["MT-Reason", "x-delivery-count", ReplayedFromHeader];

    /// <summary>Names the dead-letter queue a message was last replayed from, for whoever finds it dead-lettered again.</summary>
    public const string ReplayedFromHeader = "Notifiche-Replayed-From";

    public const int DefaultProgressEvery = 1000;
    private const int DetailLines = 50;

    public sealed record Selection(bool All, IReadOnlySet<string> MessageIds)
    {
        public bool Includes(DeadLetter message) => All || (message.MessageId is { } id && MessageIds.Contains(id));
    }

    public static async Task<int> RunAsync(BrokerSettings settings, string queue, Selection selection, bool dryRun, int progressEvery,
        TextWriter output, CancellationToken cancellationToken)
    {
        if (!DeadLetterQueues.IsDeadLetterQueue(queue))
        {
            throw new DlqException($"'{queue}' is not a dead-letter queue: replay reads queues ending in {DeadLetterQueues.ErrorSuffix} or "
                + $"{DeadLetterQueues.SkippedSuffix}, or {DeadLetters.Queue}. 'notifiche-dlq list' shows them.");
        }

        await using var broker = await BrokerSession.OpenAsync(settings, cancellationToken);
        await using var publisher = await broker.ConfirmingChannelAsync(cancellationToken);
        var targets = new Dictionary<string, bool>();
        var found = new HashSet<string>();
        int replayed = 0, skipped = 0, failed = 0, details = 0;
        var clock = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        uint count;
        await using (var pass = await DeadLetterPass.StartAsync(broker, queue, cancellationToken))
        {
            count = pass.Count;
            output.WriteLine($"{(dryRun ? "Dry run: " : "")}{queue}: {count} message(s), replaying "
                + (selection.All ? "all" : $"{selection.MessageIds.Count} selected by id") + ".");
            while (!cancellationToken.IsCancellationRequested
                && (selection.All || found.Count < selection.MessageIds.Count)
                && await pass.NextAsync(cancellationToken) is { } delivery)
            {
                var message = delivery.Message;
                if (!selection.Includes(message))
                {
                    skipped++;
                }
                else
                {
                    found.Add(message.MessageId ?? "");
                    var outcome = await ReplayOneAsync(broker, publisher, pass, queue, delivery, targets, dryRun);
                    if (outcome.Replayed)
                    {
                        replayed++;
                    }
                    else
                    {
                        failed++;
                    }

                    if (!outcome.Replayed || !selection.All || details < DetailLines)
                    {
                        output.WriteLine($"  {outcome.Text}");
                        details++;
                    }
                }

                var examined = replayed + skipped + failed;
                if (examined % progressEvery == 0 || clock.Elapsed - lastProgress >= TimeSpan.FromSeconds(1))
                {
                    lastProgress = clock.Elapsed;
                    output.WriteLine($"progress: {examined}/{count} examined, {replayed} {(dryRun ? "to replay" : "replayed")}, "
                        + $"{skipped} skipped, {failed} failed ({clock.Elapsed.TotalSeconds:0.0}s)");
                }
            }
        }

        var missing = selection.MessageIds.Except(found).ToList();
        if (!cancellationToken.IsCancellationRequested)
        {
            // The pass stops once every requested id is found: the messages it did not reach are not selected either.
            skipped = (int)count - replayed - failed;
        }

        output.WriteLine(dryRun
            ? $"Dry run, nothing changed: {replayed} would be replayed, {skipped} skipped (not selected), {failed} failed. "
              + "(Each message read counts as one delivery of the dead-letter queue.)"
            : $"Done: {replayed} replayed, {skipped} skipped (not selected, left in {queue}), {failed} failed (left in {queue}).");
        if (cancellationToken.IsCancellationRequested)
        {
            output.WriteLine("Interrupted: the messages not yet replayed are still in the dead-letter queue.");
            return ExitCodes.Error;
        }

        if (missing.Count > 0)
        {
            output.WriteLine($"Not found in {queue}: {string.Join(", ", missing)}. 'notifiche-dlq list --queue {queue}' lists the message ids.");
        }

        return failed > 0 || missing.Count > 0 ? ExitCodes.Error : ExitCodes.Ok;
    }

    private sealed record Outcome(bool Replayed, string Text);

    private static async Task<Outcome> ReplayOneAsync(BrokerSession broker, IChannel publisher, DeadLetterPass pass, string queue, Delivery delivery,
        Dictionary<string, bool> targets, bool dryRun)
    {
        var message = delivery.Message;
        var what = $"#{delivery.Position} {message.MessageId ?? "(no id)"} ({message.Envelope.ShortType ?? "?"}, notice {message.Envelope.NoticeId ?? "-"})";
        if (DeadLetterQueues.ReplayTarget(queue, message) is not { } target)
        {
            return new Outcome(false, $"{what}: FAILED, no x-death header names its source queue; left in place.");
        }

        if (!targets.TryGetValue(target, out var exists))
        {
            targets[target] = exists = await broker.MessageCountAsync(target, CancellationToken.None) is not null;
        }

        if (!exists)
        {
            return new Outcome(false, $"{what}: FAILED, queue '{target}' does not exist (start the service that consumes it, then replay); left in place.");
        }

        if (dryRun)
        {
            return new Outcome(true, $"{what}: would be replayed to {target}");
        }

        try
        {
            // Not cancellable: once published, the acknowledgement must follow.
            await publisher.BasicPublishAsync(string.Empty, target, mandatory: true, Fresh(message, queue), message.Body, CancellationToken.None);
            await pass.AckAsync(delivery);
            return new Outcome(true, $"{what}: replayed to {target}");
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.PublishException or RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return new Outcome(false, $"{what}: FAILED, the broker did not take it ({e.GetType().Name}: {e.Message}); left in place.");
        }
    }

    /// <summary>The original properties and headers, persistent, minus the traces of the failed attempt.</summary>
    public static BasicProperties Fresh(DeadLetter message, string fromQueue)
    {
        var properties = new BasicProperties(message.Properties) { Persistent = true };
        var headers = message.Headers
            .Where(h => !StrippedHeaders.Contains(h.Key) && !StrippedPrefixes.Any(p => h.Key.StartsWith(p, StringComparison.Ordinal)))
            .ToDictionary(h => h.Key, h => h.Value);
        headers[ReplayedFromHeader] = fromQueue;
        properties.Headers = headers;
        return properties;
    }
}
