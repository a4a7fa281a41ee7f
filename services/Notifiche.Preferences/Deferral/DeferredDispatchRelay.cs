using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Messaging;
using Notifiche.Preferences.Data;

namespace Notifiche.Preferences.Deferral;

/// <summary>
/// Publishes the dispatch commands quiet hours held back once their time comes (publisher confirms: the publish completes
/// only once the broker has it) and deletes their rows in the same transaction; a row found due after its notice expired
/// becomes the channel's <see cref="NotificationExpired"/>. Rows are locked (<c>FOR UPDATE SKIP LOCKED</c>), so several
/// preferences instances never publish the same one together. A crash between publish and commit publishes it again
/// after the restart: the dispatchers' ledger sends a notice once per channel. It works like the gateway's outbox relay,
/// on this service's own database (the gateway's relay is built on the gateway's context and metrics).
/// </summary>
public sealed partial class DeferredDispatchRelay(
    IServiceScopeFactory scopes, IBus bus, IOptions<QuietHoursOptions> options, TimeProvider clock, ILogger<DeferredDispatchRelay> logger)
    : BackgroundService
{
    private static readonly ActivitySource Source = new("Notifiche");

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
                    published = await PublishDueAsync(stoppingToken);
                }
                while (published == options.Value.BatchSize);

                failures = 0;
                // Real time, not the service's clock: due rows are found by the clock, the sweep only paces the look.
                await Task.Delay(options.Value.SweepInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                LogRelayFailed(e.GetType().Name, failures);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 8)))), stoppingToken);
            }
        }
    }

    /// <summary>Publishes one batch of due rows; how many.</summary>
    public async Task<int> PublishDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PreferencesDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var rows = await LockBatch(db, now).AsNoTracking().ToListAsync(ct);
        if (rows.Count == 0)
        {
            return 0;
        }

        var timeout = options.Value.PublishTimeout;
        using var publishing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        publishing.CancelAfter(timeout);
        await Task.WhenAll(rows.Select(row => PublishAsync(row, now, publishing.Token))).WaitAsync(timeout, ct);
        var ids = rows.Select(r => r.Id).ToList();
        await db.DeferredDispatches.Where(d => ids.Contains(d.Id)).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return rows.Count;
    }

    private IQueryable<DeferredDispatch> LockBatch(PreferencesDbContext db, DateTimeOffset now) =>
        db.Database.IsNpgsql()
            ? db.DeferredDispatches.FromSqlInterpolated(
                $"SELECT * FROM deferred_dispatches WHERE not_before <= {now} ORDER BY not_before, id LIMIT {options.Value.BatchSize} FOR UPDATE SKIP LOCKED")
            // SQLite (the standalone): one process, and it cannot translate a DateTimeOffset comparison.
            : db.DeferredDispatches.FromSqlInterpolated(
                $"SELECT * FROM deferred_dispatches WHERE not_before <= {now} ORDER BY not_before, id LIMIT {options.Value.BatchSize}");

    private async Task PublishAsync(DeferredDispatch row, DateTimeOffset now, CancellationToken ct)
    {
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = Source.StartActivity("deferred dispatch publish", ActivityKind.Producer, parent);
        activity?.SetTag(NoticeIdTagging.Tag, row.NoticeId.ToString());
        if (now > row.ExpiresAt)
        {
            await bus.Publish(new NotificationExpired { NoticeId = row.NoticeId, Channel = row.Channel, ExpiredAt = now }, ct);
            return;
        }

        var (message, type) = DeferredCommands.Read(row);
        await bus.Publish(message, type, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deferred dispatch relay failed ({Error}), attempt {Failures}; rows stay and are retried")]
    private partial void LogRelayFailed(string error, int failures);
}
