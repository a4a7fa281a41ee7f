using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Gateway.Data;
using Notifiche.Messaging;
using Notifiche.Gateway.Observability;

namespace Notifiche.Gateway.Outbox;

public sealed class OutboxOptions
{
    public const string Section = "Gateway:Outbox";

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>How often rows are looked for without a wake-up: after a crash, or rows committed by another gateway instance.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a batch may wait for the broker's confirms. RabbitMQ.Client 7.2 can leave a publish that was awaiting its
    /// confirm when the broker died pending for ever, even after the connection recovered (rabbitmq-dotnet-client #1928,
    /// #1930): without a bound the relay stops for good while the gateway still accepts notices. A batch that times out
    /// stays in the outbox and is published again on a fresh channel (consumers are idempotent by notice id).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Readiness fails once the oldest unpublished row is this old.</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Publishes committed outbox rows (publisher confirms: the publish completes only once the broker has the message)
/// and deletes them afterwards; a test notice's row is simulated in the gateway instead (<see cref="OutboxMessages.IsLocal"/>). A crash between commit and publish leaves the row, published on the next sweep;
/// a crash between publish and delete publishes it again: consumers are idempotent by notice id.
/// </summary>
public sealed partial class OutboxRelay(
    IServiceScopeFactory scopes, IBus bus, OutboxSignal signal, IOptions<OutboxOptions> options, GatewayMetrics metrics, TimeProvider clock,
    ILogger<OutboxRelay> logger)
    : BackgroundService
{
    private static readonly ActivitySource Source = new("Notifiche");

    // Under load the relay wakes for every batch; the backlog is counted at most once per sweep interval.
    private DateTimeOffset _observedAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int published;
                do
                {
                    published = await PublishBatchAsync(stoppingToken);
                }
                while (published == options.Value.BatchSize);

                failures = 0;
                if (clock.GetUtcNow() - _observedAt >= options.Value.SweepInterval)
                {
                    await ObserveAsync(stoppingToken);
                }

                await signal.WaitAsync(options.Value.SweepInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                LogRelayFailed(e.GetType().Name, failures);
                await TryObserveAsync(stoppingToken);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 8)))), stoppingToken);
            }
        }
    }

    private async Task<int> PublishBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        var rows = await LockBatch(db, clock.GetUtcNow()).ToListAsync(ct);
        if (rows.Count == 0)
        {
            return 0;
        }

        // The bound is enforced on the wait itself: a publish stuck inside the client may not observe its token.
        using var publishing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        publishing.CancelAfter(options.Value.PublishTimeout);
        await Task.WhenAll(rows.Select(row => PublishAsync(row, publishing.Token))).WaitAsync(options.Value.PublishTimeout, ct);
        var ids = rows.Select(r => r.Id).ToList();
        await db.Outbox.Where(o => ids.Contains(o.Id)).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return rows.Count;
    }

    /// <summary>
    /// Backlog and age of the oldest row, for the metrics and the readiness check: of the due rows only (by the not-before
    /// index), since a row scheduled for later is waiting, not stuck. Its age counts from when it became due.
    /// </summary>
    private async Task ObserveAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var now = clock.GetUtcNow();
        // Plain SQL: SQLite (the standalone) cannot translate a DateTimeOffset comparison.
        var backlog = await db.Database.SqlQuery<long>($"SELECT COUNT(*) AS \"Value\" FROM outbox WHERE not_before <= {now}").SingleAsync(ct);
        var oldest = backlog == 0 ? (DateTimeOffset?)null
            : await db.Database.SqlQuery<DateTimeOffset>($"SELECT MIN(not_before) AS \"Value\" FROM outbox WHERE not_before <= {now}").SingleAsync(ct);
        metrics.ObserveOutbox(backlog, oldest is { } at ? now - at : TimeSpan.Zero);
        _observedAt = clock.GetUtcNow();
    }

    private async Task TryObserveAsync(CancellationToken ct)
    {
        try
        {
            await ObserveAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database itself is down: its own readiness check reports that.
        }
    }

    /// <summary>
    /// The rows due longest (a scheduled row is not due before its not-before time), found by the (not_before, id) index;
    /// on PostgreSQL locked so that several gateway instances never publish the same batch concurrently. Rows that become
    /// due without a wake-up (scheduled ones) are taken by the sweep, within <see cref="OutboxOptions.SweepInterval"/>.
    /// </summary>
    public IQueryable<OutboxMessage> LockBatch(GatewayDbContext db, DateTimeOffset now) =>
        db.Database.IsNpgsql()
            ? db.Outbox.FromSqlInterpolated(
                $"SELECT * FROM outbox WHERE not_before <= {now} ORDER BY not_before, id LIMIT {options.Value.BatchSize} FOR UPDATE SKIP LOCKED")
            : db.Outbox.FromSqlInterpolated($"SELECT * FROM outbox WHERE not_before <= {now} ORDER BY not_before, id LIMIT {options.Value.BatchSize}");

    private async Task PublishAsync(OutboxMessage row, CancellationToken ct)
    {
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = Source.StartActivity("outbox publish", ActivityKind.Producer, parent);
        var (message, type) = OutboxMessages.Read(row);
        activity?.SetTag(NoticeIdTagging.Tag, NoticeIdTagging.NoticeIdOf(message)?.ToString());

        if (OutboxMessages.IsLocal(type))
        {
            // A test notice: simulated here, committed before the row is deleted (a crash in between simulates it again).
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<Notices.TestNoticeSimulator>().RunAsync((Notices.SimulateTestNotice)message, ct);
            return;
        }

        await bus.Publish(message, type, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay failed ({Error}), attempt {Failures}; rows stay in the outbox and are retried")]
    private partial void LogRelayFailed(string error, int failures);
}
