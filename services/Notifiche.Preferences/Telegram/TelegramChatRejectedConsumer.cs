using MassTransit;
using Notifiche.Contracts;

namespace Notifiche.Preferences.Telegram;

/// <summary>Unlinks a chat Telegram refuses (the citizen blocked the bot) from every profile that holds it.</summary>
public sealed class TelegramChatRejectedConsumer(TelegramLinks links) : IConsumer<TelegramChatRejected>
{
    public Task Consume(ConsumeContext<TelegramChatRejected> context) => links.UnlinkChatAsync(context.Message.ChatId, context.CancellationToken);
}
