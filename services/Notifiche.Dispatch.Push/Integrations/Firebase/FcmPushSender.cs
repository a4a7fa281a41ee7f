using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Push.Sending;
using Notifiche.ServiceDefaults;
using Refit;

namespace Notifiche.Dispatch.Push.Integrations.Firebase;

/// <summary>
/// Sends through FCM HTTP v1. Retries of one call (only what FCM cannot have processed: 429 with Retry-After, 503
/// UNAVAILABLE, no connection) and the circuit breaker live in the HTTP client's resilience pipeline; this class
/// classifies the final answer. An answer that leaves open whether the message went out (a timeout, 500 INTERNAL, a
/// 502/504) is <see cref="PushResult.Unknown"/>, never retried.
/// </summary>
public sealed class FcmPushSender(IFcmApi api, FcmAccessToken accessToken, IOptions<PushOptions> options) : IPushSender
{
    public async Task<PushResult> SendAsync(PushNotification notification, string deviceToken, ProviderHandOff handOff, CancellationToken ct)
    {
        var request = new FcmSendRequest(new FcmMessage(
            deviceToken,
            new FcmNotification(notification.Title, notification.Body),
            new Dictionary<string, string> { ["notice_id"] = notification.NoticeId.ToString() }));
        try
        {
            // The bearer token first (cached; the handler reuses it): a token endpoint that is down has sent nothing.
            await accessToken.GetAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new PushResult.Transient($"FCM token {e.GetType().Name}");
        }

        if (!await handOff(ct))
        {
            return new PushResult.Transient("FCM not handed over");
        }

        try
        {
            using var response = await api.SendAsync(options.Value.Fcm.ProjectId, request, ct);
            if (response.IsSuccessful && response.Content is { } sent)
            {
                return new PushResult.Sent(sent.Name);
            }

            if (response.HasRequestError(out var failed))
            {
                ct.ThrowIfCancellationRequested();
                return Failed(failed);
            }

            return Classify((int)(response.StatusCode ?? 0), ParseError((response.Error as ApiException)?.Content));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return Failed(e);
        }
    }

    // No connection or an open circuit sent nothing; a timeout or a dropped connection may have.
    private static PushResult Failed(Exception e)
    {
        var reason = $"FCM {((e as ApiRequestException)?.InnerException ?? e).GetType().Name}";
        return ProviderHttp.NeverSent(e) ? new PushResult.Transient(reason) : new PushResult.Unknown(reason);
    }

    // Reasons carry codes only: never the token or the content. A token is given up (the citizen's profile loses it) only
    // on FCM's own word, in Google's error document: UNREGISTERED, or INVALID_ARGUMENT whose field violation is the
    // token (issue 16, point 7). A bare status, an HTML page from a proxy or an INVALID_ARGUMENT about the message keep it.
    private static PushResult Classify(int status, FcmError? error)
    {
        var code = error?.ErrorCode;
        var reason = code is null ? $"FCM HTTP {status}" : $"FCM {code}";
        return code switch
        {
            "UNREGISTERED" => new PushResult.TokenRejected(reason),
            "INVALID_ARGUMENT" when error!.NamesToken => new PushResult.TokenRejected(reason),
            // The message itself is refused (a field FCM does not accept): sending it again cannot help.
            "INVALID_ARGUMENT" => new PushResult.Permanent(reason),
            "SENDER_ID_MISMATCH" or "THIRD_PARTY_AUTH_ERROR" => new PushResult.Permanent(reason),
            // INTERNAL (500) and a gateway's 502/504 may come after FCM took the message.
            _ when ProviderHttp.MayHaveProcessed((HttpStatusCode)status) => new PushResult.Unknown(reason),
            // QUOTA_EXCEEDED (429), UNAVAILABLE (503), UNAUTHENTICATED (token refreshed on the next try), a bare NOT_FOUND
            // (wrong project: a configuration error, not a dead token) and anything unknown.
            _ => new PushResult.Transient(reason),
        };
    }

    private static FcmError? ParseError(string? content)
    {
        try
        {
            return string.IsNullOrWhiteSpace(content) ? null : JsonSerializer.Deserialize(content, FcmJsonContext.Default.FcmErrorResponse)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
