using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Notifiche.Dispatch.Telegram.Integrations.BotApi;

/// <summary>
/// Telegram says how long to wait after a 429 in the body (<c>parameters.retry_after</c>), not always in a header: this
/// handler, inside the provider resilience pipeline, copies it into <c>Retry-After</c>, which the pipeline's retry honours
/// (up to <c>Telegram:Resilience:MaxRetryDelay</c>).
/// </summary>
public sealed class RetryAfterHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await base.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.TooManyRequests || response.Headers.RetryAfter is not null)
        {
            return response;
        }

        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var retryAfter = RetryAfterSeconds(body);
        var buffered = new ByteArrayContent(body);
        foreach (var header in response.Content.Headers)
        {
            buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = buffered;
        if (retryAfter is { } seconds)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return response;
    }

    public static int? RetryAfterSeconds(byte[] body)
    {
        try
        {
            var answer = JsonSerializer.Deserialize(body, TelegramJsonContext.Default.BotResponseBotMessage);
            return answer?.Parameters?.RetryAfter is { } seconds && seconds > 0 ? seconds : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
