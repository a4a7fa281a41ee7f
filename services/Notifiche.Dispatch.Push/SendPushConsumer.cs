using MassTransit;
using Notifiche.Contracts;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Push.Composition;
using Notifiche.Dispatch.Push.Sending;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Push;

/// <summary>
/// Sends one notice's push to each of the citizen's devices, each at most once (<see cref="DispatchLedger"/>, one record
/// per device token): a redelivered or retried command skips the devices already done. SENT when at least one device got
/// it; a rejected token is reported (<see cref="PushTokenRejected"/>) so Preferences drops it; FAILED when no device can
/// get it. A transient failure on any device is thrown for the retry policy once the other devices are done.
/// </summary>
public sealed class SendPushConsumer(PushComposer composer, IPushSender sender, DispatchLedger ledger, TimeProvider clock) : IConsumer<SendPush>
{
    public async Task Consume(ConsumeContext<SendPush> context)
    {
        var push = context.Message;
        if (await DispatchOutcomes.ExpiredAsync(context, push.NoticeId, Channels.Push, push.ExpiresAt, clock))
        {
            return;
        }

        var notification = composer.Compose(push);
        var outcomes = new List<(string Token, DeliveryResult Result)>();
        foreach (var token in push.DeviceTokens.Distinct())
        {
            outcomes.Add((token, await ledger.DispatchOnceAsync(new(push.NoticeId, Channels.Push, token),
                async (handOff, ct) => (await sender.SendAsync(notification, token, handOff, ct)).ToDelivery(), context.CancellationToken)));
        }

        if (outcomes.Select(o => o.Result).OfType<DeliveryResult.Transient>().FirstOrDefault() is { } transient)
        {
            throw new TransientFailureException(transient.Reason);
        }

        foreach (var (token, rejected) in outcomes.Where(o => o.Result is DeliveryResult.Permanent { AddressRejected: true }))
        {
            await context.Publish(new PushTokenRejected
            {
                NoticeId = push.NoticeId, DeviceToken = token, Reason = ((DeliveryResult.Permanent)rejected).Reason, RejectedAt = clock.GetUtcNow(),
            });
        }

        var sent = outcomes.Select(o => o.Result).OfType<DeliveryResult.Sent>().ToList();
        await (sent.Count > 0
            ? context.Publish(new NotificationSent
            {
                NoticeId = push.NoticeId, Channel = Channels.Push, SentAt = clock.GetUtcNow(),
                ProviderMessageId = string.Join(' ', sent.Select(s => s.ProviderMessageId)),
            })
            : context.Publish(new NotificationFailed
            {
                NoticeId = push.NoticeId, Channel = Channels.Push, Permanent = true, FailedAt = clock.GetUtcNow(),
                Reason = outcomes.Count == 0
                    ? "NO_DEVICE_TOKEN"
                    : string.Join(", ", outcomes.Select(o => o.Result).OfType<DeliveryResult.Permanent>().Select(p => p.Reason).Distinct()),
            }));
    }
}
