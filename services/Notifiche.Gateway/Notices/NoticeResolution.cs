using Microsoft.EntityFrameworkCore;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Outbox;

namespace Notifiche.Gateway.Notices;

/// <summary>
/// <c>POST /api/v1/notices/{id}/resolve</c> (issue 17, point 4): the matter is settled (the tax was paid), so the notice's
/// reminders still pending are cancelled — and the notice itself when it is still scheduled. Pending means its outbox row
/// is still there: the row is deleted in this transaction, and a row the relay has already taken (it is being published)
/// makes the delete wait for the relay's commit and then find nothing, so a reminder is either cancelled or delivered,
/// never both. Resolving again changes nothing.
/// </summary>
public sealed class NoticeResolution(GatewayDbContext db, StatusAnnouncements announcements, OutboxSignal outbox, TimeProvider clock)
{
    /// <summary>The resolved notice, or null when the service has no such notice (a reminder's own id is not a notice to resolve).</summary>
    public async Task<Notice?> ResolveAsync(string serviceId, Guid id, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var notice = await db.Notices.FirstOrDefaultAsync(n => n.Id == id && n.ServiceId == serviceId && n.ReminderOf == null, ct);
        if (notice is null || notice.ResolvedAt is not null)
        {
            return notice;
        }

        var now = clock.GetUtcNow();
        notice.ResolvedAt = now;
        var reminders = await db.Notices.Where(n => n.ReminderOf == id && n.Status == NoticeStatus.Accepted).ToListAsync(ct);
        var cancelled = new List<Notice>();
        var announced = false;
        foreach (var pending in reminders.Prepend(notice).Where(n => n.Status == NoticeStatus.Accepted))
        {
            if (await db.Outbox.Where(o => o.NoticeId == pending.Id).ExecuteDeleteAsync(ct) == 0)
            {
                continue;
            }

            pending.Status = NoticeStatus.Cancelled;
            pending.ProcessedAt = now;
            pending.StatusDetail = pending.ReminderOf is null
                ? "Resolved by the service before its send_at: never delivered."
                : "Resolved by the service before the reminder was due: never delivered.";
            db.Record(pending.Id, NoticeEventTypes.Cancelled, now, detail: "resolved by the service before it was due");
            announced |= await announcements.AnnounceAsync(pending.Id, serviceId, NoticeStatus.Cancelled, now, ct);
            cancelled.Add(pending);
        }

        db.Record(notice.Id, NoticeEventTypes.Resolved, now, detail: cancelled.Count == 0
            ? "nothing pending to cancel"
            : $"cancelled {string.Join(", ", cancelled.Select(n => n.ReminderBefore is { } before ? $"reminder {before} ({n.Id})" : "the scheduled notice"))}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (announced)
        {
            outbox.Notify();
        }

        return notice;
    }
}
