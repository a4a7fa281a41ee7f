using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Sms.Sending;
using Notifiche.Messaging;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Refit;

namespace Notifiche.Dispatch.Sms.Integrations.Twilio;

/// <summary>
/// Creates a message through Twilio's REST API. Retries of one call (429 with Retry-After, 5xx, timeouts) and the
/// circuit breaker live in the HTTP client's resilience pipeline; this class only classifies the final answer.
/// </summary>
public sealed class TwilioSmsSender(ITwilioApi api, IOptions<SmsOptions> options) : ISmsSender
{
    /// <summary>Twilio error codes that retrying cannot fix.</summary>
    public static readonly IReadOnlyDictionary<int, string> PermanentCodes = new Dictionary<int, string>
    {
        [21211] = "invalid 'To' number",
        [21408] = "region not enabled",
        [21610] = "recipient unsubscribed (STOP)",
        [21612] = "'To' number not reachable by SMS",
        [21614] = "'To' number is not a mobile number",
    };

    public async Task<DeliveryResult> SendAsync(SmsMessage message, CancellationToken ct)
    {
        var twilio = options.Value.Twilio;
        var form = new Dictionary<string, string> { ["To"] = message.To, ["Body"] = message.Body };
        if (!string.IsNullOrEmpty(twilio.MessagingServiceSid))
        {
            form["MessagingServiceSid"] = twilio.MessagingServiceSid;
        }
        else
        {
            form["From"] = twilio.From ?? string.Empty;
        }

        try
        {
            using var response = await api.CreateMessageAsync(twilio.AccountSid, form, ct);
            if (response.IsSuccessful && response.Content is { } created)
            {
                return new DeliveryResult.Sent(created.Sid);
            }

            if (response.HasRequestError(out var failed))
            {
                ct.ThrowIfCancellationRequested();
                return new DeliveryResult.Transient($"TWILIO {(failed.InnerException ?? failed).GetType().Name}");
            }

            return Classify(response.StatusCode ?? 0, ParseError((response.Error as ApiException)?.Content));
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                                      or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new DeliveryResult.Transient($"TWILIO {e.GetType().Name}");
        }
    }

    // Reasons carry codes only: Twilio's messages quote the phone number.
    private static DeliveryResult Classify(HttpStatusCode status, TwilioError? error)
    {
        var code = error?.Code;
        var reason = code is { } c ? $"TWILIO {c} (HTTP {(int)status})" : $"TWILIO HTTP {(int)status}";
        if (code is { } permanent && PermanentCodes.ContainsKey(permanent))
        {
            return new DeliveryResult.Permanent(reason);
        }

        // 20429/429 and 5xx are the provider's trouble; 20003 (authentication) and any other code are ours to fix
        // (credentials, sender): retried, then dead-lettered where an SRE can replay them once configuration is right.
        return new DeliveryResult.Transient(reason);
    }

    private static TwilioError? ParseError(string? content)
    {
        try
        {
            return string.IsNullOrWhiteSpace(content) ? null : JsonSerializer.Deserialize(content, TwilioJsonContext.Default.TwilioError);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
