using System.Text.Json.Serialization;
using Refit;

namespace Notifiche.Dispatch.Telegram.Integrations.BotApi;

/// <summary>
/// The one Bot API method the dispatcher calls. <see cref="BotTokenHandler"/> adds the <c>/bot&lt;token&gt;</c> segment,
/// so the token stays out of every Refit parameter and of the client's base address.
/// </summary>
/// <remarks>
/// Refit rather than the Telegram.Bot package: one method is all the dispatcher needs, and with Refit its HTTP client
/// is an ordinary <c>IHttpClientFactory</c> client carrying the same provider resilience pipeline as Twilio's and FCM's
/// (retry only what Telegram cannot have processed; a timeout or a 5xx is an unknown outcome, never sent again), while the
/// sender sees the raw status and error document to classify. Telegram.Bot adds its own retry on 429 and wraps transport
/// errors in its own exceptions, which would blur exactly the never-sent / may-have-sent line the dispatch ledger relies on.
/// </remarks>
public interface ITelegramBotApi
{
    [Post("/sendMessage")]
    Task<IApiResponse<BotResponse<BotMessage>>> SendMessageAsync([Body] SendMessageRequest request, CancellationToken ct);
}

/// <summary><c>sendMessage</c>'s parameters (those the dispatcher uses).</summary>
public sealed record SendMessageRequest(
    [property: JsonPropertyName("chat_id")] long ChatId,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("parse_mode")] string ParseMode,
    [property: JsonPropertyName("link_preview_options")] LinkPreviewOptions LinkPreviewOptions)
{
    public static SendMessageRequest Html(long chatId, string html) => new(chatId, html, "HTML", new LinkPreviewOptions(true));
}

public sealed record LinkPreviewOptions([property: JsonPropertyName("is_disabled")] bool IsDisabled);

/// <summary>Every Bot API answer: <c>{ok, result}</c> or <c>{ok: false, error_code, description, parameters}</c>.</summary>
public sealed record BotResponse<T>(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("result")] T? Result,
    [property: JsonPropertyName("error_code")] int? ErrorCode,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("parameters")] ResponseParameters? Parameters);

/// <summary><c>retry_after</c>: seconds to wait before the next request (with a 429).</summary>
public sealed record ResponseParameters(
    [property: JsonPropertyName("retry_after")] int? RetryAfter,
    [property: JsonPropertyName("migrate_to_chat_id")] long? MigrateToChatId);

public sealed record BotMessage([property: JsonPropertyName("message_id")] long MessageId);

/// <summary>Source-generated JSON for Refit's generated client.</summary>
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(BotResponse<BotMessage>))]
public sealed partial class TelegramJsonContext : JsonSerializerContext;
