using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Messaging;
using Notifiche.Persistence;
using Notifiche.Preferences.Data;
using Notifiche.Preferences.Observability;

namespace Notifiche.Preferences.Deferral;

/// <summary>
/// Publishes the dispatch commands quiet hours held back once their time comes, and deletes their rows
/// (<see cref="DueRowRelay{TContext, TRow}"/>, as the gateway's outbox: locked batches, so several preferences instances
/// never publish the same row together; publisher confirms; a crash between publish and commit publishes it again after
/// the restart, and the dispatchers' ledger sends a notice once per channel). A row found due after its notice expired
/// becomes the channel's <see cref="NotificationExpired"/>.
/// </summary>
public sealed class DeferredDispatchRelay(
    IServiceScopeFactory scopes, IBus bus, IOptions<QuietHoursOptions> options, DeferredDispatchMetrics metrics, TimeProvider clock,
    ILogger<DeferredDispatchRelay> logger)
    : DueRowRelay<PreferencesDbContext, DeferredDispatch>(scopes, clock, logger)
{
    private static readonly ActivitySource Source = new("Notifiche");

    // Real time for the sweep (the base's default), not the service's clock: due rows are found by the clock, the sweep
    // only paces the look.
    protected override DueRowRelaySettings Settings => options.Value.RelaySettings();

    protected override DbSet<DeferredDispatch> Rows(PreferencesDbContext db) => db.DeferredDispatches;

    /// <summary>For the metrics and the readiness check (<see cref="DeferredDispatchHealthCheck"/>).</summary>
    protected override void Observed(long dueBacklog, TimeSpan oldestDueAge) => metrics.Observe(dueBacklog, oldestDueAge);

    protected override async Task PublishAsync(DeferredDispatch row, DateTimeOffset now, CancellationToken ct)
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
}
