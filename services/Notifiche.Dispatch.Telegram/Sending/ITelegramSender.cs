using Notifiche.Dispatch.Ledger;

namespace Notifiche.Dispatch.Telegram.Sending;

/// <summary>One message to one chat: <paramref name="Html"/> is Telegram HTML, its text already escaped.</summary>
public sealed record TelegramMessage(Guid NoticeId, long ChatId, string Html);

/// <summary>Hands a message to Telegram (the Bot API, the sandbox).</summary>
public interface ITelegramSender
{
    /// <summary>
    /// Sends one message, calling <paramref name="handOff"/> right before the request can reach Telegram. A chat that can
    /// no longer be written to (the citizen blocked the bot) is a <see cref="DeliveryResult.Permanent"/> with
    /// <c>AddressRejected</c>.
    /// </summary>
    Task<DeliveryResult> SendAsync(TelegramMessage message, ProviderHandOff handOff, CancellationToken ct);
}
