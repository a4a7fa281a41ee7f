using System.Text.Json.Serialization;

namespace Notifiche.Preferences.Telegram;

// Telegram's payloads, not a request of ours: the API's strict rule (an unknown member is a 400, issue 18) does not apply,
// since an Update carries many members the webhook does not read, and the Bot API adds new ones in every release.

/// <summary>The parts of a Bot API <c>Update</c> the webhook reads: a message's text and its chat.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record TelegramUpdate(
    [property: JsonPropertyName("update_id")] long UpdateId,
    [property: JsonPropertyName("message")] TelegramIncomingMessage? Message);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record TelegramIncomingMessage(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("chat")] TelegramChat Chat,
    [property: JsonPropertyName("from")] TelegramUser? From);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record TelegramChat([property: JsonPropertyName("id")] long Id, [property: JsonPropertyName("type")] string Type);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
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
