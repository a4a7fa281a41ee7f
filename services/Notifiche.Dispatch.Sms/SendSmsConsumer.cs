using MassTransit;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Dispatch.Sms.Composition;
using Notifiche.Dispatch.Sms.Sending;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Sms;

/// <summary>Sends one notice's SMS; transient failures are thrown so the endpoint's retry policy and kill switch handle them.</summary>
public sealed class SendSmsConsumer(SmsComposer composer, ISmsSender sender, SentSmsLedger ledger, IOptions<SmsOptions> options, TimeProvider clock)
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
        var result = ledger.TryGet(sms.NoticeId, out var already) && already is not null
            ? already
            : await sender.SendAsync(new SmsMessage(sms.NoticeId, sms.PhoneNumber, text.Body, text.Encoding.Segments), context.CancellationToken);
        switch (result)
        {
            case DeliveryResult.Sent sent:
                ledger.Record(sms.NoticeId, sent);
                await context.Publish(new NotificationSent
                {
                    NoticeId = sms.NoticeId, Channel = Channels.Sms, ProviderMessageId = sent.ProviderMessageId, SentAt = clock.GetUtcNow(),
                    Segments = text.Encoding.Segments, CostEuro = text.Encoding.Segments * options.Value.PricePerSegmentEuro,
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
