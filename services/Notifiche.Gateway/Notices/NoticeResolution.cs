using Microsoft.EntityFrameworkCore;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Outbox;

namespace Notifiche.Gateway.Notices;

/// <summary>
/// <c>POST /api/v1/notices/{id}/resolve</c> (issue 17, point 4): the matter is settled (the tax was paid), so the notice's
/// reminders and escalation steps still pending are cancelled — and the notice itself when it is still scheduled. Pending means its outbox row
/// is still there: the row is deleted in this transaction, and a row the relay has already taken (it is being published)
/// makes the delete wait for the relay's commit and then find nothing, so a reminder is either cancelled or delivered,
/// never both. Resolving again changes nothing. Routing's rejection of a notice cancels its pending reminders the same way
/// (<see cref="CancelRemindersOfRejectedAsync"/>).
/// </summary>
public sealed class NoticeResolution(GatewayDbContext db, StatusAnnouncements announcements, OutboxSignal outbox, TimeProvider clock)
{
    /// <summary>The resolved notice, or null when the service has no such notice (a reminder's own id is not a notice to resolve).</summary>
    public async Task<Notice?> ResolveAsync(string serviceId, Guid id, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Locked on PostgreSQL: two resolves at once are one resolve and one repeat (one resolved_at, one audit entry).
        var notice = db.Database.IsNpgsql()
            ? (await db.Notices.FromSqlInterpolated(
                $"SELECT * FROM notices WHERE id = {id} AND service_id = {serviceId} AND reminder_of IS NULL AND escalation_of IS NULL FOR UPDATE").ToListAsync(ct)).SingleOrDefault()
            : await db.Notices.FirstOrDefaultAsync(n => n.Id == id && n.ServiceId == serviceId && n.ReminderOf == null && n.EscalationOf == null, ct);
        if (notice is null || notice.ResolvedAt is not null)
        {
            return notice;
        }

        var now = clock.GetUtcNow();
        notice.ResolvedAt = now;
        var reminders = await PendingOf(id, ct);
        var (cancelled, announced) = await CancelPendingAsync(reminders.Prepend(notice), "resolved by the service before it was due", now, ct);
        db.Record(notice.Id, NoticeEventTypes.Resolved, now, detail: cancelled.Count == 0
            ? "nothing pending to cancel"
            : $"cancelled {string.Join(", ", cancelled.Select(n => n.ReminderBefore is { } before ? $"reminder {before} ({n.Id})" : n.EscalationStep is { } step ? $"escalation step {step} {n.EscalationAfter} ({n.Id})" : "the scheduled notice"))}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (announced)
        {
            outbox.Notify();
        }

        return notice;
    }

    /// <summary>
    /// A notice routing rejected (unknown citizen, blocked service, expired) is not in the citizen's inbox: its reminders
    /// still pending are cancelled, in the caller's transaction, so no reminder points to a notice the citizen cannot read.
    /// True when a status callback was announced (wake the relay after commit).
    /// </summary>
    public async Task<bool> CancelRemindersOfRejectedAsync(Guid noticeId, string rejectionReason, DateTimeOffset now, CancellationToken ct)
    {
        var reminders = await PendingOf(noticeId, ct);
        return reminders.Count > 0 && (await CancelPendingAsync(reminders, $"its notice was rejected ({rejectionReason})", now, ct)).Announced;
    }

    /// <summary>The notice's reminders and escalation steps not yet routed (one statement, by the two filtered indexes).</summary>
    private Task<List<Notice>> PendingOf(Guid noticeId, CancellationToken ct) =>
        db.Notices.Where(n => (n.ReminderOf == noticeId || n.EscalationOf == noticeId) && n.Status == NoticeStatus.Accepted).ToListAsync(ct);

    /// <summary>Cancels those of <paramref name="notices"/> whose outbox row is still there, in the caller's unit of work.</summary>
    private async Task<(List<Notice> Cancelled, bool Announced)> CancelPendingAsync(IEnumerable<Notice> notices, string why, DateTimeOffset now,
        CancellationToken ct)
    {
        var cancelled = new List<Notice>();
        var announced = false;
        foreach (var pending in notices.Where(n => n.Status == NoticeStatus.Accepted))
        {
            if (await db.Outbox.Where(o => o.NoticeId == pending.Id).ExecuteDeleteAsync(ct) == 0)
            {
                continue;
            }

            pending.Status = NoticeStatus.Cancelled;
            pending.ProcessedAt = now;
            pending.StatusDetail = $"Cancelled before it was due, never delivered: {why}.";
            db.Record(pending.Id, NoticeEventTypes.Cancelled, now, detail: why);
            announced |= await announcements.AnnounceAsync(pending.Id, pending.ServiceId, NoticeStatus.Cancelled, now, ct);
            cancelled.Add(pending);
        }

        if (cancelled.Count > 0)
        {
            // A cancelled notice or reminder sends nothing: what it reserved in the monthly SMS budget is given back.
            var sql = new System.Text.StringBuilder();
            var parameters = new Dictionary<string, object?>();
            for (var i = 0; i < cancelled.Count; i++)
            {
                parameters[$"@cancelled{i}"] = RawSql.Id(db, cancelled[i].Id);
            }

            Governance.SmsBudget.AppendSettlement(sql, [.. parameters.Keys], _ => "0", Governance.SmsBudget.NoSmsPlanned);
            await RawSql.ExecuteAsync(db, sql.ToString(), parameters, ct);
        }

        return (cancelled, announced);
    }
}
