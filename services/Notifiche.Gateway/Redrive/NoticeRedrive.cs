using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Outbox;

namespace Notifiche.Gateway.Redrive;

/// <summary>
/// Submits notices to routing again when the messages that should have moved them on may have been lost: a fresh
/// <see cref="Contracts.NoticeSubmitted"/> outbox row per notice, committed with its <see cref="Notice.RedrivenAt"/>. Safe to
/// repeat: routing a routed notice changes no status (statuses move only forward, by notice id) and the dispatchers'
/// ledgers answer a repeated dispatch command with its recorded outcome instead of calling the provider again.
/// A notice whose content was deleted at the end of its retention is not re-driven (nothing is left to send). A scheduled
/// notice counts from its send_at, not its acceptance: until then its <see cref="Contracts.NoticeSubmitted"/> waits in the
/// outbox, and a re-drive (whose rows are due at once) would deliver it early. An escalation step is re-driven only once
/// its time decided it (<see cref="EscalationStepRunner"/>): before, a re-drive would skip the check of the read state.
/// </summary>
public sealed class NoticeRedrive(GatewayDbContext db, OutboxSignal outbox, IOptions<RedriveOptions> options, TimeProvider clock)
{
    /// <summary>Re-drives a batch of notices ACCEPTED (and due) before <paramref name="cutoff"/> and not re-driven since; returns how many.</summary>
    public Task<int> UnroutedBatchAsync(DateTimeOffset cutoff, CancellationToken ct) => BatchAsync($"""
        SELECT * FROM notices
        WHERE status = {NoticeStatus.Accepted} AND accepted_at < {cutoff} AND (redriven_at IS NULL OR redriven_at < {cutoff})
          AND (send_at IS NULL OR send_at < {cutoff}) AND content_deleted_at IS NULL
          AND (escalation_of IS NULL OR escalation_outcome IS NOT NULL)
        ORDER BY accepted_at LIMIT {options.Value.BatchSize}
        """, ct);

    /// <summary>
    /// Re-drives a batch of the notices accepted (and due) before <paramref name="startedAt"/> that are not final and were not
    /// re-driven since; returns how many. A notice due later keeps its own outbox row, which the restarted relay publishes.
    /// </summary>
    public Task<int> NotFinalBatchAsync(DateTimeOffset startedAt, CancellationToken ct) => BatchAsync($"""
        SELECT * FROM notices n
        WHERE n.accepted_at < {startedAt} AND (n.redriven_at IS NULL OR n.redriven_at < {startedAt}) AND n.content_deleted_at IS NULL
          AND (n.send_at IS NULL OR n.send_at < {startedAt})
          AND (n.escalation_of IS NULL OR n.escalation_outcome IS NOT NULL)
          AND (n.status = {NoticeStatus.Accepted}
               OR n.status = {NoticeStatus.Processed} AND EXISTS (SELECT 1 FROM notice_channels c WHERE c.notice_id = n.id
                   AND c.status NOT IN ({ChannelStatus.Sent}, {ChannelStatus.Failed}, {ChannelStatus.Expired})))
        ORDER BY n.accepted_at LIMIT {options.Value.BatchSize}
        """, ct);

    /// <summary>Notices still ACCEPTED that were accepted (and due) before <paramref name="cutoff"/>.</summary>
    public Task<int> CountUnroutedAsync(DateTimeOffset cutoff, CancellationToken ct) =>
        db.Database.SqlQuery<int>($"""
            SELECT COUNT(*) AS "Value" FROM notices WHERE status = {NoticeStatus.Accepted} AND accepted_at < {cutoff}
              AND (send_at IS NULL OR send_at < {cutoff}) AND (escalation_of IS NULL OR escalation_outcome IS NOT NULL)
            """).SingleAsync(ct);

    private async Task<int> BatchAsync(FormattableString due, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Plain SQL: SQLite cannot translate a DateTimeOffset comparison. On PostgreSQL, notices another gateway instance
        // is re-driving right now are skipped.
        var sql = db.Database.IsNpgsql() ? $"{due.Format} FOR UPDATE SKIP LOCKED" : due.Format;
        var notices = await db.Notices.FromSqlRaw(sql, due.GetArguments()!).ToListAsync(ct);
        if (notices.Count == 0)
        {
            return 0;
        }

        var ids = notices.Select(n => n.Id).ToList();
        var serviceIds = notices.Select(n => n.ServiceId).Distinct().ToList();
        var services = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        var omitted = (await db.NoticeOmissions.AsNoTracking().Where(o => ids.Contains(o.NoticeId)).ToListAsync(ct)).ToLookup(o => o.NoticeId);
        var variants = (await db.NoticeVariants.AsNoTracking().Where(v => ids.Contains(v.NoticeId)).ToListAsync(ct)).ToLookup(v => v.NoticeId);
        var now = clock.GetUtcNow();
        foreach (var notice in notices)
        {
            var service = services[notice.ServiceId];
            // An escalation step routes to its own channels only.
            var allowed = service.AllowedChannels.Where(c => notice.EscalationChannels?.Contains(c) ?? true).Except(omitted[notice.Id].Select(o => o.Channel)).ToList();
            // A test notice is simulated again, never submitted to routing.
            db.Outbox.Add(notice.Test
                ? OutboxMessages.Create(TestNotices.For(notice, service) with { Channels = allowed }, null, now)
                : OutboxMessages.Create(NoticeSubmissions.For(notice, service, allowed, variants[notice.Id], omitted[notice.Id]), null, now));
            notice.RedrivenAt = now;
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        outbox.Notify();
        return notices.Count;
    }
}
