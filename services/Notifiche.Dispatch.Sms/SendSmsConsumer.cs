using MassTransit;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Dispatch.Sms.Composition;
using Notifiche.Dispatch.Sms.Sending;
using Notifiche.Dispatching;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Sms;

/// <summary>
/// Sends one notice's SMS, at most once however often the command is delivered (<see cref="DispatchLedger"/>: Twilio has
/// no idempotency key to lean on); transient failures are thrown so the endpoint's retry policy and kill switch handle them.
/// </summary>
public sealed class SendSmsConsumer(SmsComposer composer, ISmsSender sender, DispatchLedger ledger, IOptions<SmsOptions> options, TimeProvider clock)
    : IConsumer<SendSms>
{
    public async Task Consume(ConsumeContext<SendSms> context)
    {
        var sms = context.Message;
        if (clock.GetUtcNow() > sms.ExpiresAt)
        {
            await context.Publish(new NotificationExpired { NoticeId = sms.NoticeId, Channel = Channels.Sms, ExpiredAt = clock.GetUtcNow() });
            return;
        }

        var text = composer.Compose(sms);
        var segments = text.Encoding.Segments;
        var message = new SmsMessage(sms.NoticeId, sms.PhoneNumber, text.Body, segments);
        switch (await ledger.DispatchOnceAsync(new(sms.NoticeId, Channels.Sms, sms.PhoneNumber, segments), ct => sender.SendAsync(message, ct), context.CancellationToken))
        {
            case DeliveryResult.Sent sent:
                await context.Publish(new NotificationSent
                {
                    NoticeId = sms.NoticeId, Channel = Channels.Sms, ProviderMessageId = sent.ProviderMessageId, SentAt = clock.GetUtcNow(),
                    Segments = segments, CostEuro = segments * options.Value.PricePerSegmentEuro,
                });
                break;
            case DeliveryResult.Permanent failed:
                await context.Publish(new NotificationFailed
                {
                    NoticeId = sms.NoticeId, Channel = Channels.Sms, Permanent = true, Reason = failed.Reason, FailedAt = clock.GetUtcNow(),
                });
                break;
            case DeliveryResult.Transient transient:
                throw new TransientFailureException(transient.Reason);
        }
    }
}
