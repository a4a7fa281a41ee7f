using MassTransit;
using Notifiche.Contracts;
using Notifiche.Dispatch.Email.Composition;
using Notifiche.Dispatch.Email.Sending;
using Notifiche.Dispatching;
using Notifiche.Messaging;

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
        if (clock.GetUtcNow() > email.ExpiresAt)
        {
            await context.Publish(new NotificationExpired { NoticeId = email.NoticeId, Channel = Channels.Email, ExpiredAt = clock.GetUtcNow() });
            return;
        }

        var message = composer.Compose(email);
        switch (await ledger.DispatchOnceAsync(new(email.NoticeId, Channels.Email, email.To), ct => sender.SendAsync(message, ct), context.CancellationToken))
        {
            case DeliveryResult.Sent sent:
                await context.Publish(new NotificationSent
                {
                    NoticeId = email.NoticeId, Channel = Channels.Email, ProviderMessageId = sent.ProviderMessageId, SentAt = clock.GetUtcNow(),
                });
                break;
            case DeliveryResult.Permanent failed:
                await context.Publish(new NotificationFailed
                {
                    NoticeId = email.NoticeId, Channel = Channels.Email, Permanent = true, Reason = failed.Reason, FailedAt = clock.GetUtcNow(),
                });
                break;
            case DeliveryResult.Transient transient:
                throw new TransientFailureException(transient.Reason);
        }
    }
}
