using MassTransit;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Sms.Composition;
using Notifiche.Dispatch.Sms.Sending;

namespace Notifiche.Dispatch.Sms;

/// <summary>
/// Sends one notice's SMS, at most once however often the command is delivered (<see cref="DispatchLedger"/>: Twilio has
/// no idempotency key to lean on); transient failures are thrown so the endpoint's retry policy and kill switch handle them.
/// </summary>
public sealed class SendSmsConsumer(SmsComposer composer, ISmsSender sender, DispatchLedger ledger, IOptions<SmsOptions> options, TimeProvider clock)
    : IConsumer<SendSms>
{
    public const string BudgetExhausted = "SMS_BUDGET_EXHAUSTED: no segments reserved for this notice in the service's monthly SMS budget";

    public async Task Consume(ConsumeContext<SendSms> context)
    {
        var sms = context.Message;
        if (await DispatchOutcomes.ExpiredAsync(context, sms.NoticeId, Channels.Sms, sms.ExpiresAt, clock))
        {
            return;
        }

        // Checked again here: nothing is left of the notice's reservation in its service's SMS budget (the gateway settled it).
        if (sms.MaxSegments is <= 0)
        {
            await DispatchOutcomes.PublishAsync(context, sms.NoticeId, Channels.Sms, new DeliveryResult.Permanent(BudgetExhausted), clock);
            return;
        }

        var text = composer.Compose(sms);
        var segments = text.Encoding.Segments;
        var message = new SmsMessage(sms.NoticeId, sms.PhoneNumber, text.Body, segments);
        var result = await ledger.DispatchOnceAsync(new(sms.NoticeId, Channels.Sms, sms.PhoneNumber, segments), (handOff, ct) => sender.SendAsync(message, handOff, ct), context.CancellationToken);
        await DispatchOutcomes.PublishAsync(context, sms.NoticeId, Channels.Sms, result, clock,
            sent => sent with { Segments = segments, CostEuro = segments * options.Value.PricePerSegmentEuro });
    }
}
