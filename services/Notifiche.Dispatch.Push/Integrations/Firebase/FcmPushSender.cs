using System.Text.Json;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Push.Sending;
using Refit;

namespace Notifiche.Dispatch.Push.Integrations.Firebase;

/// <summary>
/// Sends through FCM HTTP v1. Retries of one call (429 with Retry-After, 5xx, timeouts) and the circuit breaker live in
/// the HTTP client's resilience pipeline; this class only classifies the final answer.
/// </summary>
public sealed class FcmPushSender(IFcmApi api, IOptions<PushOptions> options) : IPushSender
{
    public async Task<PushResult> SendAsync(PushNotification notification, string deviceToken, CancellationToken ct)
    {
        var request = new FcmSendRequest(new FcmMessage(
            deviceToken,
            new FcmNotification(notification.Title, notification.Body),
            new Dictionary<string, string> { ["notice_id"] = notification.NoticeId.ToString() }));
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
                return new PushResult.Transient($"FCM {(failed.InnerException ?? failed).GetType().Name}");
            }

            return Classify((int)(response.StatusCode ?? 0), ParseError((response.Error as ApiException)?.Content));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Token endpoint unreachable, circuit open, timeout: the provider (or our credentials) will be back.
            return new PushResult.Transient($"FCM {e.GetType().Name}");
        }
    }

    // Reasons carry codes only: never the token or the content.
    private static PushResult Classify(int status, FcmError? error)
    {
        var code = error?.ErrorCode ?? (status switch { 400 => "INVALID_ARGUMENT", 404 => "UNREGISTERED", _ => null });
        var reason = code is null ? $"FCM HTTP {status}" : $"FCM {code}";
        return code switch
        {
            "UNREGISTERED" or "INVALID_ARGUMENT" => new PushResult.TokenRejected(reason),
            "SENDER_ID_MISMATCH" or "THIRD_PARTY_AUTH_ERROR" => new PushResult.Permanent(reason),
            // QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL, UNAUTHENTICATED (token refreshed on the next try), a bare NOT_FOUND
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
