using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Observability;
using Notifiche.Messaging;

namespace Notifiche.Gateway.Callbacks;

/// <summary>
/// Delivers a status change to the owning service's callback, on its own queue (a receiver that is down never holds up
/// a notice's delivery), retried with back-off by the endpoint's retry (<see cref="CallbackOptions.DefaultRetry"/>).
/// The outcome goes into the notice's audit trail: delivered, or failed once retries are exhausted or refused.
/// </summary>
public sealed class StatusCallbackConsumer(GatewayDbContext db, StatusCallbackSender sender, IOptions<MessagingOptions> messaging, GatewayMetrics metrics,
    TimeProvider clock)
    : IConsumer<NoticeStatusChanged>
{
    public const string Queue = EventQueues.StatusCallback;

    public async Task Consume(ConsumeContext<NoticeStatusChanged> context)
    {
        var change = context.Message;
        var ct = context.CancellationToken;
        var callback = await db.StatusCallbacks.AsNoTracking().FirstOrDefaultAsync(c => c.ServiceId == change.ServiceId, ct);
        if (callback is null)
        {
            return;
        }

        var what = change.Channel is null ? change.Status : $"{change.Channel} {change.Status}";
        var attempt = context.GetRetryAttempt() + 1;
        try
        {
            var notice = await db.Notices.AsNoTracking().Where(n => n.Id == change.NoticeId)
                .Select(n => new { n.Reference, n.ProtocolNumber, n.ProtocolDate, n.Test }).FirstOrDefaultAsync(ct);
            var about = notice is null ? null : new CallbackNotice(notice.Reference,
                notice is { ProtocolNumber: { } number, ProtocolDate: { } date } ? new Notices.ProtocolResponse(number, date) : null, notice.Test);
            var status = await sender.PostAsync(callback, change, ct, about);
            db.Record(change.NoticeId, NoticeEventTypes.CallbackDelivered, clock.GetUtcNow(), change.Channel,
                $"{what}: HTTP {status} (attempt {attempt})");
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is PermanentFailureException || e is TransientFailureException && attempt > RetryLimit)
        {
            db.Record(change.NoticeId, NoticeEventTypes.CallbackFailed, clock.GetUtcNow(), change.Channel, $"{what}: {e.Message} (attempt {attempt}, given up)");
            await db.SaveChangesAsync(ct);
            metrics.CallbackFailed(change.ServiceId);
            throw;
        }
    }

    private int RetryLimit => messaging.Value.RetryFor(Queue).Limit;
}
