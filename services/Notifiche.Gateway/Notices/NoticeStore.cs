using Microsoft.EntityFrameworkCore;
using Notifiche.Contracts;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Data;
using Notifiche.Persistence;
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
/// so concurrent duplicates resolve to one notice (the key's primary key admits only one of them). Concurrent
/// submissions are written together by one writer (<see cref="SubmissionWriter"/>, group commit): a 201 still means the
/// notice is durably stored, and under load one transaction serves many requests instead of one each (issue 15).
/// </summary>
public sealed class NoticeStore(
    GatewayDbContext db, SubmissionPolicy policy, StatusAnnouncements announcements, SubmissionWriter writer, OutboxSignal outbox, GatewayMetrics metrics,
    TimeProvider clock)
{
    /// <summary>One submission on its way through the writer; <see cref="Result"/> is set when its group is applied.</summary>
    /// <param name="Test">Sent with a test key: simulated, never delivered (<see cref="TestNotices"/>).</param>
    public sealed record Submission(ServiceRecord Service, ValidNotice Valid, string? IdempotencyKey, string RequestHash, bool Test = false)
    {
        public Acceptance? Result { get; set; }
    }

    public async Task<Acceptance> AcceptAsync(ServiceRecord service, ValidNotice valid, string? idempotencyKey, CancellationToken ct, bool test = false)
    {
        // A test and a live request with the same key and body are different requests: a retry must not cross over.
        var requestHash = IdempotencyKeys.RequestHash(valid, test);
        if (idempotencyKey is not null && await RecallAsync(service.Id, idempotencyKey, requestHash, ct) is { } earlier)
        {
            return earlier;
        }

        var submission = new Submission(service, valid, idempotencyKey, requestHash, test);
        try
        {
            await writer.AcceptAsync(submission, ct);
        }
        catch (DbUpdateException) when (idempotencyKey is not null)
        {
            // A concurrent request with the same key committed first: answer as its retry.
            db.ChangeTracker.Clear();
            return await RecallAsync(service.Id, idempotencyKey, requestHash, ct) ?? throw new InvalidOperationException("idempotency key vanished");
        }

        return submission.Result ?? throw new InvalidOperationException("submission applied without a result");
    }

    /// <summary>
    /// Stores a group of submissions in one transaction. The policy's counters change in the same transaction as the
    /// notices: a refused or failed accept counts nothing. A failure fails the whole group, which the writer then applies
    /// one submission at a time (a second use of an idempotency key among them fails alone, and answers as a retry).
    /// </summary>
    public async Task<IReadOnlyList<Exception?>> StoreAsync(IReadOnlyList<Traced<Submission>> group, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Service by service: two gateways' groups take the services' quota rows in the same order, so they cannot deadlock.
        foreach (var (submission, traceParent) in group.OrderBy(g => g.Item.Service.Id, StringComparer.Ordinal))
        {
            var (service, valid) = (submission.Service, submission.Valid);
            var (admission, refusal) = await policy.AdmitAsync(service, valid, now, ct, submission.Test);
            if (admission is null)
            {
                submission.Result = new Acceptance.Refused(refusal!);
                continue;
            }

            var notice = Stored(service, valid, admission, now, submission.Test, valid.SendAt);
            notice.EscalationSteps = valid.Escalation?.Count;
            // The admission reserved the SMS of the notice and its due-date reminders together (issue 16's budget, issue 17's
            // reminders): each row holds an equal share, the notice the remainder; a row whose share is 0 may send no SMS.
            var rows = 1 + (valid.Reminders?.Count ?? 0);
            notice.SmsReservedSegments = admission.SmsReservedSegments is { } reserved ? reserved / rows + reserved % rows : null;
            db.Notices.Add(notice);
            // Scheduled send: the routing message waits in the outbox until send_at (the relay skips it until then). A test
            // notice's row is its simulated delivery, run in the gateway: nothing of it is published for routing.
            db.Outbox.Add(Routing(notice, service, submission.Test, admission.AllowedChannels, traceParent, now));
            db.Record(notice.Id, NoticeEventTypes.Accepted, now,
                detail: (valid.SendAt is { } sendAt ? $"content_sha256 {notice.ContentSha256}, send_at {sendAt:O}{Urgency(valid)}" : $"content_sha256 {notice.ContentSha256}{Urgency(valid)}")
                    + (valid.Reminders is { } reminders ? $", reminders {string.Join(' ', reminders.Select(r => r.Before))}" : string.Empty)
                    + (valid.Escalation is { } escalation ? $", escalation {string.Join(' ', escalation.Select(e => $"{e.After}:{string.Join('+', e.Channels)}"))}" : string.Empty)
                    + (valid.Sensitive ? ", sensitive" : string.Empty)
                    + (valid.HoldUntilRegistered ? ", hold until registered" : string.Empty)
                    + Templated(notice) + (submission.Test ? ", test key: delivery simulated" : string.Empty));
            foreach (var reminder in valid.Reminders ?? [])
            {
                // Each reminder waits in the outbox like a scheduled notice: durable, published once, cancelled by resolve.
                var reminded = Stored(service, valid, admission, now, submission.Test, reminder.At);
                reminded.SmsReservedSegments = admission.SmsReservedSegments / rows;
                // Never notified after the due date: its time to live ends with that day at the latest.
                var dueEnd = DueDateReminders.EndOf(notice.DueDate!.Value);
                reminded.ExpiresAt = reminded.ExpiresAt < dueEnd ? reminded.ExpiresAt : dueEnd;
                reminded.ReminderOf = notice.Id;
                reminded.ReminderBefore = reminder.Before;
                db.Notices.Add(reminded);
                db.Outbox.Add(Routing(reminded, service, submission.Test, admission.AllowedChannels, traceParent, now));
                db.Record(reminded.Id, NoticeEventTypes.Accepted, now,
                    detail: $"reminder {reminder.Before} before the due date of notice {notice.Id}, send_at {reminder.At:O}");
            }

            foreach (var (index, step) in (valid.Escalation ?? []).Index())
            {
                // Counted from the notice's delivery as stored, as its expiry is.
                var at = step.At(Later(now, valid.SendAt));
                var escalated = EscalationStepRunner.Stored(notice, Stored(service, valid, admission, now, submission.Test, at), index + 1, step);
                db.Notices.Add(escalated);
                // Nothing to route yet: at the step's time the relay hands this row to EscalationStepRunner in the gateway, which
                // routes the step only if the notice is still unread. Resolve cancels it by deleting the row, like a reminder's.
                db.Outbox.Add(OutboxMessages.Create(new RunEscalationStep(escalated.Id), traceParent, now, notBefore: at, noticeId: escalated.Id));
                db.Record(escalated.Id, NoticeEventTypes.Accepted, now,
                    detail: $"escalation step {index + 1} ({step.After}: {string.Join(", ", step.Channels)}) of notice {notice.Id}, runs at {at:O} if it is unread");
            }

            await announcements.AnnounceAsync(notice.Id, service.Id, NoticeStatus.Shown(notice, now), now, ct, traceParent: traceParent);
            if (submission.IdempotencyKey is { } key)
            {
                db.IdempotencyKeys.Add(new IdempotencyKey
                {
                    ServiceId = service.Id, Key = key, RequestSha256 = submission.RequestHash, NoticeId = notice.Id, CreatedAt = now,
                });
            }

            submission.Result = new Acceptance.Accepted(notice.Id);
        }

        // One transaction: either every row of the group is committed or none.
        await db.SaveAddedAsync(ct);
        await tx.CommitAsync(ct);
        if (group.Any(g => g.Item.Result is Acceptance.Accepted))
        {
            outbox.Notify();
        }

        foreach (var (submission, _) in group)
        {
            switch (submission.Result)
            {
                case Acceptance.Accepted:
                    metrics.Accepted(submission.Service.Id);
                    break;
                case Acceptance.Refused { Refusal: var refusal }:
                    metrics.Refused(submission.Service.Id, refusal.Code);
                    break;
            }
        }

        return new Exception?[group.Count];
    }

    /// <summary>
    /// The row that routes a notice (from its send_at on, when it has one). A test notice's row is its simulated delivery,
    /// run in the gateway: nothing of it is published for routing.
    /// </summary>
    private static OutboxMessage Routing(Notice notice, ServiceRecord service, bool test, IReadOnlyList<string> allowedChannels, string? traceParent,
        DateTimeOffset now) =>
        test
            ? OutboxMessages.Create(TestNotices.For(notice, service), traceParent, now, notBefore: notice.SendAt, noticeId: notice.Id)
            : OutboxMessages.Create(NoticeSubmissions.For(notice, service, allowedChannels, notice.Variants, notice.Omissions), traceParent, now, notBefore: notice.SendAt, noticeId: notice.Id);

    /// <summary>
    /// The row of an admitted notice, routed from <paramref name="sendAt"/> (null: at once). A due-date reminder is one too:
    /// the same content and options, its own id, due at the reminder's time.
    /// </summary>
    private static Notice Stored(ServiceRecord service, ValidNotice valid, Admission admission, DateTimeOffset now, bool test, DateTimeOffset? sendAt) => new()
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
        SendAt = sendAt,
        Urgent = valid.Urgent,
        // A scheduled notice's time to live runs from its send_at: it may wait that long once it is due.
        ExpiresAt = Later(now, sendAt).AddSeconds(valid.TimeToLiveSeconds),
        ContentSha256 = ContentHash.Compute(valid.Subject, valid.Markdown, valid.DueDate),
        Omissions = [.. admission.Omitted.Select(o => new NoticeOmission { Channel = o.Channel, Reason = o.Reason })],
        Test = test,
        Reference = valid.Reference,
        ProtocolNumber = valid.ProtocolNumber,
        ProtocolDate = valid.ProtocolDate,
        Sensitive = valid.Sensitive,
        HoldUntilRegistered = valid.HoldUntilRegistered,
        SmsReservedSegments = admission.SmsReservedSegments,
        SmsBudgetMonth = admission.SmsReservedSegments is null ? null : SmsBudget.MonthOf(now),
        TemplateId = valid.TemplateId,
        TemplateVersion = valid.TemplateVersion,
        // Each language hashed as rendered, like the notice's own content: what the citizen got can be proven either way.
        Variants = [.. valid.Variants.Select(v => new NoticeVariant
        {
            Language = v.Language, Subject = v.Subject, Markdown = v.Markdown, ContentSha256 = ContentHash.Compute(v.Subject, v.Markdown, valid.DueDate),
        })],
    };

    private static string Urgency(ValidNotice valid) => valid.Urgent ? ", urgent" : string.Empty;

    private static string Templated(Notice notice) => notice.TemplateId is { } id
        ? $", template {id} version {notice.TemplateVersion}" + string.Concat(notice.Variants.Select(v => $", {v.Language} content_sha256 {v.ContentSha256}"))
        : string.Empty;

    private static DateTimeOffset Later(DateTimeOffset now, DateTimeOffset? sendAt) => sendAt > now ? sendAt.Value : now;

    private async Task<Acceptance?> RecallAsync(string serviceId, string key, string requestHash, CancellationToken ct)
    {
        var stored = await db.IdempotencyKeys.FirstOrDefaultAsync(k => k.ServiceId == serviceId && k.Key == key, ct);
        if (stored is null)
        {
            return null;
        }

        if (stored.CreatedAt < clock.GetUtcNow() - IdempotencyKeys.Retention)
        {
            // Forgotten: the key may be used again (deleted now, as the new notice is written by the writer's own context).
            await db.IdempotencyKeys.Where(k => k.ServiceId == serviceId && k.Key == key && k.NoticeId == stored.NoticeId).ExecuteDeleteAsync(ct);
            return null;
        }

        return stored.RequestSha256 == requestHash ? new Acceptance.Replayed(stored.NoticeId) : new Acceptance.KeyConflict();
    }
}

/// <summary>The one writer of submitted notices of a gateway instance (group commit, <see cref="GroupCommit{T}"/>).</summary>
public sealed class SubmissionWriter(IServiceScopeFactory scopes, ILogger<SubmissionWriter> logger) : IAsyncDisposable
{
    private readonly GroupCommit<NoticeStore.Submission> _submissions = new("notice submissions", scopes,
        (services, group, ct) => services.GetRequiredService<NoticeStore>().StoreAsync(group, ct), logger);

    public Task AcceptAsync(NoticeStore.Submission submission, CancellationToken ct) => _submissions.ApplyAsync(submission, ct);

    public ValueTask DisposeAsync() => _submissions.DisposeAsync();
}
