using System.Text.Json.Serialization;

namespace Notifiche.Preferences.Telegram;

/// <summary>The parts of a Bot API <c>Update</c> the webhook reads: a message's text and its chat.</summary>
public sealed record TelegramUpdate(
    [property: JsonPropertyName("update_id")] long UpdateId,
    [property: JsonPropertyName("message")] TelegramIncomingMessage? Message);

public sealed record TelegramIncomingMessage(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("chat")] TelegramChat Chat,
    [property: JsonPropertyName("from")] TelegramUser? From);

public sealed record TelegramChat([property: JsonPropertyName("id")] long Id, [property: JsonPropertyName("type")] string Type);

public sealed record TelegramUser([property: JsonPropertyName("id")] long Id, [property: JsonPropertyName("language_code")] string? LanguageCode);

/// <summary>
/// The bot's reply, returned as the webhook's answer: Telegram performs a method call given in the body of the response
/// to an update, so the preferences service needs neither the bot token nor a client of the Bot API.
/// </summary>
public sealed record TelegramReply(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("chat_id")] long ChatId,
    [property: JsonPropertyName("text")] string Text)
{
    public static TelegramReply Send(long chatId, string text) => new("sendMessage", chatId, text);
}
