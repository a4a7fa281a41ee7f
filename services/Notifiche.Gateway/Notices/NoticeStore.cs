using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Notifiche.Contracts;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Observability;
using Notifiche.Gateway.Outbox;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Notices;

/// <summary>What became of a submission.</summary>
public abstract record Acceptance
{
    public sealed record Accepted(Guid NoticeId) : Acceptance;

    /// <summary>A retry with the same <c>Idempotency-Key</c> and body: the notice accepted the first time.</summary>
    public sealed record Replayed(Guid NoticeId) : Acceptance;

    /// <summary>The key was already used for a different request.</summary>
    public sealed record KeyConflict : Acceptance;

    /// <summary>The service may not send this notice now (<see cref="SubmissionPolicy"/>): nothing was stored.</summary>
    public sealed record Refused(SubmissionRefusal Refusal) : Acceptance;
}

/// <summary>
/// Accepts a notice: the notice, its <see cref="NoticeSubmitted"/> outbox row and its idempotency key in one transaction,
/// so concurrent duplicates resolve to one notice (the key's primary key admits only one of them).
/// </summary>
public sealed class NoticeStore(
    GatewayDbContext db, SubmissionPolicy policy, StatusAnnouncements announcements, OutboxSignal outbox, GatewayMetrics metrics, TimeProvider clock)
{
    public async Task<Acceptance> AcceptAsync(ServiceRecord service, ValidNotice valid, string? idempotencyKey, CancellationToken ct)
    {
        var requestHash = IdempotencyKeys.RequestHash(valid);
        if (idempotencyKey is not null && await RecallAsync(service.Id, idempotencyKey, requestHash, ct) is { } earlier)
        {
            return earlier;
        }

        var now = clock.GetUtcNow();
        // The policy's counters change in the same transaction as the notice: a refused or failed accept counts nothing.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var (admission, refusal) = await policy.AdmitAsync(service, valid, now, ct);
        if (admission is null)
        {
            metrics.Refused(service.Id, refusal!.Code);
            return new Acceptance.Refused(refusal);
        }

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
            Omissions = [.. admission.Omitted.Select(o => new NoticeOmission { Channel = o.Channel, Reason = o.Reason })],
        };
        db.Notices.Add(notice);
        db.Outbox.Add(OutboxMessages.Create(NoticeSubmissions.For(notice, service, admission.AllowedChannels), Activity.Current, now));
        db.Record(notice.Id, NoticeEventTypes.Accepted, now, detail: $"content_sha256 {notice.ContentSha256}");
        await announcements.AnnounceAsync(notice.Id, service.Id, NoticeStatus.Accepted, now, ct);

        if (idempotencyKey is not null)
        {
            db.IdempotencyKeys.Add(new IdempotencyKey
            {
                ServiceId = service.Id, Key = idempotencyKey, RequestSha256 = requestHash, NoticeId = notice.Id, CreatedAt = now,
            });
        }

        // One transaction: either every row is committed or none.
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException) when (idempotencyKey is not null)
        {
            // A concurrent request with the same key committed first: answer as its retry.
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return await RecallAsync(service.Id, idempotencyKey, requestHash, ct) ?? throw new InvalidOperationException("idempotency key vanished");
        }

        outbox.Notify();
        metrics.Accepted(service.Id);
        return new Acceptance.Accepted(notice.Id);
    }

    private async Task<Acceptance?> RecallAsync(string serviceId, string key, string requestHash, CancellationToken ct)
    {
        var stored = await db.IdempotencyKeys.FirstOrDefaultAsync(k => k.ServiceId == serviceId && k.Key == key, ct);
        if (stored is null)
        {
            return null;
        }

        if (stored.CreatedAt < clock.GetUtcNow() - IdempotencyKeys.Retention)
        {
            // Forgotten: the key may be used again.
            db.IdempotencyKeys.Remove(stored);
            return null;
        }

        return stored.RequestSha256 == requestHash ? new Acceptance.Replayed(stored.NoticeId) : new Acceptance.KeyConflict();
    }
}
