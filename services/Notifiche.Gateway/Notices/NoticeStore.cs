using System.Diagnostics;
using Notifiche.Contracts;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Outbox;

namespace Notifiche.Gateway.Notices;

/// <summary>Accepts a notice: the notice and its <see cref="NoticeSubmitted"/> outbox row in one transaction.</summary>
public sealed class NoticeStore(GatewayDbContext db, OutboxSignal outbox, TimeProvider clock)
{
    public async Task<Notice> AcceptAsync(ServiceRecord service, ValidNotice valid, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var notice = new Notice
        {
            Id = Guid.CreateVersion7(now),
            ServiceId = service.Id,
            FiscalCode = valid.FiscalCode,
            Subject = valid.Subject,
            Markdown = valid.Markdown,
            DueDate = valid.DueDate,
            Category = valid.Category,
            DefaultEmail = valid.DefaultEmail,
            TimeToLiveSeconds = valid.TimeToLiveSeconds,
            AcceptedAt = now,
            ExpiresAt = now.AddSeconds(valid.TimeToLiveSeconds),
            ContentSha256 = ContentHash.Compute(valid.Subject, valid.Markdown, valid.DueDate),
        };
        db.Notices.Add(notice);
        db.Outbox.Add(OutboxMessages.Create(new NoticeSubmitted
        {
            NoticeId = notice.Id,
            ServiceId = service.Id,
            ServiceName = service.Name,
            OrganizationName = service.OrganizationName,
            AllowedChannels = service.AllowedChannels,
            FiscalCode = notice.FiscalCode,
            Subject = notice.Subject,
            Markdown = notice.Markdown,
            DueDate = notice.DueDate,
            Category = notice.Category,
            DefaultEmail = notice.DefaultEmail,
            AcceptedAt = notice.AcceptedAt,
            ExpiresAt = notice.ExpiresAt,
        }, Activity.Current, now));

        // One SaveChanges is one transaction: either both rows are committed or neither.
        await db.SaveChangesAsync(ct);
        outbox.Notify();
        return notice;
    }
}
