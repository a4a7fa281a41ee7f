using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Sms.Sending;
using Notifiche.ServiceDefaults;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Refit;

namespace Notifiche.Dispatch.Sms.Integrations.Twilio;

/// <summary>
/// Creates a message through Twilio's REST API. Retries of one call (only what Twilio cannot have processed: 429 with
/// Retry-After, 503, no connection) and the circuit breaker live in the HTTP client's resilience pipeline; this class
/// classifies the final answer. Twilio has no idempotency key, so an answer that leaves open whether the message was
/// created (a timeout, a 500/502/504) is <see cref="DeliveryResult.Unknown"/>, never retried.
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

    public async Task<DeliveryResult> SendAsync(SmsMessage message, ProviderHandOff handOff, CancellationToken ct)
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

        if (!await handOff(ct))
        {
            return new DeliveryResult.Transient("TWILIO not handed over");
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
                return Failed(failed);
            }

            return Classify(response.StatusCode ?? 0, ParseError((response.Error as ApiException)?.Content));
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                                      or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return Failed(e);
        }
    }

    private static DeliveryResult Failed(Exception e)
    {
        var reason = $"TWILIO {((e as ApiRequestException)?.InnerException ?? e).GetType().Name}";
        return ProviderHttp.NeverSent(e) ? new DeliveryResult.Transient(reason) : new DeliveryResult.Unknown(reason);
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

        // A 500/502/504 may come after the message was created: sending again could reach the citizen twice.
        if (ProviderHttp.MayHaveProcessed(status))
        {
            return new DeliveryResult.Unknown(reason);
        }

        // 20429/429 and 503 are the provider's trouble; 20003 (authentication) and any other 4xx are ours to fix
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
