using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Messaging;
using Notifiche.Persistence;
using Notifiche.Preferences.Data;
using Notifiche.Preferences.Observability;

namespace Notifiche.Preferences.Holding;

/// <summary>
/// Relays held notices once due (<see cref="DueRowRelay{TContext, TRow}"/>, as the deferred dispatches: locked batches,
/// publisher confirms, the row deleted in the batch's transaction; a crash in between relays it again, and routing and the
/// gateway are idempotent by notice id). A notice whose citizen registered is published again as its
/// <see cref="NoticeSubmitted"/> and routed like any other (quiet hours included); one whose time to live ended is reported
/// EXPIRED; one withdrawn by the profile's erasure REJECTED.
/// </summary>
public sealed class HeldNoticeRelay(IServiceScopeFactory scopes, IBus bus, IOptions<HeldNoticesOptions> options, HeldNoticeMetrics metrics, TimeProvider clock,
    ILogger<HeldNoticeRelay> logger)
    : DueRowRelay<PreferencesDbContext, HeldNotice>(scopes, clock, logger)
{
    private static readonly ActivitySource Source = new("Notifiche");

    protected override DueRowRelaySettings Settings => options.Value.RelaySettings();

    protected override DbSet<HeldNotice> Rows(PreferencesDbContext db) => db.HeldNotices;

    /// <summary>For the metrics (the NotificheHeldNoticesStuck alert).</summary>
    protected override void Observed(long dueBacklog, TimeSpan oldestDueAge) => metrics.Observe(dueBacklog, oldestDueAge);

    protected override async Task PublishAsync(HeldNotice row, DateTimeOffset now, CancellationToken ct)
    {
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = Source.StartActivity("held notice publish", ActivityKind.Producer, parent);
        activity?.SetTag(NoticeIdTagging.Tag, row.NoticeId.ToString());
        await (row switch
        {
            { Payload: null } => bus.Publish(new NoticeRouted
            {
                NoticeId = row.NoticeId, Channels = [], RejectionReason = RejectionReasons.UserNotFound, Detail = HeldNotices.ErasedDetail, RoutedAt = now,
            }, ct),
            _ when now >= row.ExpiresAt => bus.Publish(Expired(row.NoticeId, now), ct),
            _ => bus.Publish(HeldNotices.Read(row), ct),
        });
    }

    /// <summary>A held notice's time to live ended before its citizen registered.</summary>
    public static NoticeRouted Expired(Guid noticeId, DateTimeOffset now) => new()
    {
        NoticeId = noticeId, Channels = [], Expired = true, RoutedAt = now,
        Detail = "Held until registered: the time to live ended before the citizen created a profile. Never sent.",
    };
}
