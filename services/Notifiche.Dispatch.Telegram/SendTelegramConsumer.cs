using System.Globalization;
using MassTransit;
using Notifiche.Contracts;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Telegram.Composition;
using Notifiche.Dispatch.Telegram.Sending;

namespace Notifiche.Dispatch.Telegram;

/// <summary>
/// Sends one notice's Telegram message, at most once however often the command is delivered (<see cref="DispatchLedger"/>:
/// the Bot API has no idempotency key); transient failures are thrown so the endpoint's retry policy and kill switch handle
/// them. A chat Telegram refuses (the citizen blocked the bot) is reported (<see cref="TelegramChatRejected"/>) so
/// Preferences unlinks it, and the channel fails with the reason.
/// </summary>
public sealed class SendTelegramConsumer(TelegramComposer composer, ITelegramSender sender, DispatchLedger ledger, TimeProvider clock)
    : IConsumer<SendTelegram>
{
    public const string UnlinkedSuffix = "the chat was unlinked from the citizen's profile";

    public async Task Consume(ConsumeContext<SendTelegram> context)
    {
        var command = context.Message;
        if (await DispatchOutcomes.ExpiredAsync(context, command.NoticeId, Channels.Telegram, command.ExpiresAt, clock))
        {
            return;
        }

        var message = composer.Compose(command);
        var address = command.ChatId.ToString(CultureInfo.InvariantCulture);
        var result = await ledger.DispatchOnceAsync(new(command.NoticeId, Channels.Telegram, address),
            (handOff, ct) => sender.SendAsync(message, handOff, ct), context.CancellationToken);
        if (result is DeliveryResult.Permanent { AddressRejected: true } rejected)
        {
            await context.Publish(new TelegramChatRejected
            {
                NoticeId = command.NoticeId, ChatId = command.ChatId, Reason = rejected.Reason, RejectedAt = clock.GetUtcNow(),
            });
            result = rejected with { Reason = $"{rejected.Reason}: {UnlinkedSuffix}" };
        }

        await DispatchOutcomes.PublishAsync(context, command.NoticeId, Channels.Telegram, result, clock);
    }
}
