using MassTransit;
using Notifiche.Contracts;
using Notifiche.Dispatch.Email.Composition;
using Notifiche.Dispatch.Email.Sending;
using Notifiche.Dispatch.Ledger;

namespace Notifiche.Dispatch.Email;

/// <summary>
/// Sends one notice's email, at most once however often the command is delivered (<see cref="DispatchLedger"/>);
/// transient failures are thrown so the endpoint's retry policy handles them.
/// </summary>
public sealed class SendEmailConsumer(EmailComposer composer, IEmailSender sender, DispatchLedger ledger, TimeProvider clock) : IConsumer<SendEmail>
{
    public async Task Consume(ConsumeContext<SendEmail> context)
    {
        var email = context.Message;
        if (await DispatchOutcomes.ExpiredAsync(context, email.NoticeId, Channels.Email, email.ExpiresAt, clock))
        {
            return;
        }

        var message = composer.Compose(email);
        var result = await ledger.DispatchOnceAsync(new(email.NoticeId, Channels.Email, email.To, ResendSafe: sender.ResendSafe),
            (handOff, ct) => sender.SendAsync(message, handOff, ct), context.CancellationToken);
        await DispatchOutcomes.PublishAsync(context, email.NoticeId, Channels.Email, result, clock);
    }
}
