using MassTransit;
using Notifiche.Contracts;
using Notifiche.Dispatch.Push.Composition;
using Notifiche.Dispatch.Push.Sending;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Push;

/// <summary>
/// Sends one notice's push to each of the citizen's devices. SENT when at least one device got it; a rejected token is
/// reported (<see cref="PushTokenRejected"/>) so Preferences drops it; FAILED when no device can get it. A transient
/// failure on any device is thrown for the retry policy, and the retry skips devices already done (<see cref="PushAttemptLedger"/>).
/// </summary>
public sealed class SendPushConsumer(PushComposer composer, IPushSender sender, PushAttemptLedger ledger, TimeProvider clock) : IConsumer<SendPush>
{
    public async Task Consume(ConsumeContext<SendPush> context)
    {
        var push = context.Message;
        if (clock.GetUtcNow() > push.ExpiresAt)
        {
            await context.Publish(new NotificationExpired { NoticeId = push.NoticeId, Channel = Channels.Push, ExpiredAt = clock.GetUtcNow() });
            return;
        }

        var notification = composer.Compose(push);
        var done = ledger.For(push.NoticeId);
        PushResult.Transient? transient = null;
        foreach (var token in push.DeviceTokens.Distinct().Where(t => !done.ContainsKey(t)))
        {
            switch (await sender.SendAsync(notification, token, context.CancellationToken))
            {
                case PushResult.Transient t: transient = t; break;
                case var final: done[token] = final; break;
            }
        }

        if (transient is not null)
        {
            throw new TransientFailureException(transient.Reason);
        }

        var outcomes = push.DeviceTokens.Distinct().Select(t => (Token: t, Result: done[t])).ToList();
        foreach (var (token, rejected) in outcomes.Where(o => o.Result is PushResult.TokenRejected).Select(o => (o.Token, (PushResult.TokenRejected)o.Result)))
        {
            await context.Publish(new PushTokenRejected { NoticeId = push.NoticeId, DeviceToken = token, Reason = rejected.Reason, RejectedAt = clock.GetUtcNow() });
        }

        var sent = outcomes.Select(o => o.Result).OfType<PushResult.Sent>().ToList();
        await (sent.Count > 0
            ? context.Publish(new NotificationSent
            {
                NoticeId = push.NoticeId, Channel = Channels.Push, SentAt = clock.GetUtcNow(),
                ProviderMessageId = string.Join(' ', sent.Select(s => s.ProviderMessageId)),
            })
            : context.Publish(new NotificationFailed
            {
                NoticeId = push.NoticeId, Channel = Channels.Push, Permanent = true, FailedAt = clock.GetUtcNow(),
                Reason = outcomes.Count == 0 ? "NO_DEVICE_TOKEN" : string.Join(", ", outcomes.Select(o => Reason(o.Result)).Distinct()),
            }));
    }

    private static string Reason(PushResult result) => result switch
    {
        PushResult.TokenRejected r => r.Reason,
        PushResult.Permanent p => p.Reason,
        _ => result.GetType().Name,
    };
}
