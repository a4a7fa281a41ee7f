using System.Net;
using System.Text.Json;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Telegram.Sending;
using Notifiche.ServiceDefaults;
using Refit;

namespace Notifiche.Dispatch.Telegram.Integrations.BotApi;

/// <summary>
/// Sends through the Bot API's <c>sendMessage</c> in HTML parse mode. Retries of one call (only what Telegram cannot have
/// processed: 429 after its <c>retry_after</c>, 503, no connection) and the circuit breaker live in the HTTP client's
/// resilience pipeline; this class classifies the final answer. The Bot API has no idempotency key, so an answer that
/// leaves open whether the message went out (a timeout, a 500/502/504) is <see cref="DeliveryResult.Unknown"/>.
/// </summary>
public sealed class BotApiTelegramSender(ITelegramBotApi api) : ITelegramSender
{
    public async Task<DeliveryResult> SendAsync(TelegramMessage message, ProviderHandOff handOff, CancellationToken ct)
    {
        if (!await handOff(ct))
        {
            return new DeliveryResult.Transient("TELEGRAM not handed over");
        }

        try
        {
            using var response = await api.SendMessageAsync(SendMessageRequest.Html(message.ChatId, message.Html), ct);
            if (response.IsSuccessful && response.Content is { Ok: true, Result: { } sent })
            {
                return new DeliveryResult.Sent(sent.MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (response.HasRequestError(out var failed))
            {
                ct.ThrowIfCancellationRequested();
                return Failed(failed);
            }

            return Classify(response.StatusCode ?? 0, ParseError((response.Error as ApiException)?.Content));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return Failed(e);
        }
    }

    private static DeliveryResult Failed(Exception e)
    {
        var reason = $"TELEGRAM {((e as ApiRequestException)?.InnerException ?? e).GetType().Name}";
        return ProviderHttp.NeverSent(e) ? new DeliveryResult.Transient(reason) : new DeliveryResult.Unknown(reason);
    }

    /// <summary>
    /// Reasons carry a status and a fixed code, never Telegram's description verbatim (it may one day quote a name).
    /// 403 (blocked by the user, user deactivated, kicked) and 400 "chat not found": the chat is dead, the profile
    /// should drop it. 429 is THROTTLED: retried later (the pipeline already waited its <c>retry_after</c>).
    /// </summary>
    public static DeliveryResult Classify(HttpStatusCode status, BotResponse<BotMessage>? error)
    {
        var description = error?.Description ?? string.Empty;
        bool Says(string text) => description.Contains(text, StringComparison.OrdinalIgnoreCase);
        switch ((int)status)
        {
            case 403:
                var code = Says("blocked by the user") ? "BOT_BLOCKED" : Says("deactivated") ? "USER_DEACTIVATED" : Says("kicked") ? "BOT_KICKED" : "FORBIDDEN";
                return new DeliveryResult.Permanent($"TELEGRAM 403 {code}") { AddressRejected = true };
            case 400 when Says("chat not found"):
                return new DeliveryResult.Permanent("TELEGRAM 400 CHAT_NOT_FOUND") { AddressRejected = true };
            case 400:
                // Our request is wrong (e.g. HTML Telegram cannot parse): sending it again cannot help.
                return new DeliveryResult.Permanent("TELEGRAM 400 BAD_REQUEST");
            case 429:
                return new DeliveryResult.Transient(error?.Parameters?.RetryAfter is { } seconds
                    ? $"TELEGRAM 429 THROTTLED (retry after {seconds} s)"
                    : "TELEGRAM 429 THROTTLED");
        }

        // A 500/502/504 may come after Telegram took the message: sending again could reach the citizen twice.
        if (ProviderHttp.MayHaveProcessed(status))
        {
            return new DeliveryResult.Unknown($"TELEGRAM HTTP {(int)status}");
        }

        // 503, 401 (a wrong token: ours to fix), 404 and anything else: retried, then dead-lettered for an SRE to replay.
        return new DeliveryResult.Transient($"TELEGRAM HTTP {(int)status}");
    }

    private static BotResponse<BotMessage>? ParseError(string? content)
    {
        try
        {
            return string.IsNullOrWhiteSpace(content) ? null : JsonSerializer.Deserialize(content, TelegramJsonContext.Default.BotResponseBotMessage);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
