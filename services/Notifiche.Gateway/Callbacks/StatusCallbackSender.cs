using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Notifiche.Contracts;
using Notifiche.Messaging;

namespace Notifiche.Gateway.Callbacks;

/// <summary>
/// POSTs a status change to a service's receiver: JSON <c>{notice_id, channel, status, time, reference, protocol, test}</c>, signed in
/// <c>X-Notifiche-Signature: sha256=&lt;hex HMAC-SHA256(secret, body bytes)&gt;</c>, with the sending time in
/// <c>X-Notifiche-Timestamp</c>. A 2xx is delivered; 408, 429 and 5xx or no answer are transient (retried); any
/// other status is permanent (the receiver refuses it).
/// </summary>
public sealed class StatusCallbackSender(HttpClient http, TimeProvider clock)
{
    public const string SignatureHeader = "X-Notifiche-Signature";
    public const string TimestampHeader = "X-Notifiche-Timestamp";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed record Body(Guid NoticeId, string? Channel, string Status, DateTimeOffset Time, string? Reference, Notices.ProtocolResponse? Protocol,
        bool Test);

    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>The HTTP status of a delivered callback; throws <see cref="TransientFailureException"/> or <see cref="PermanentFailureException"/>.</summary>
    /// <param name="notice">What the body says of the notice besides its status: the sender's reference and protocol, and whether it is a test.</param>
    public async Task<int> PostAsync(StatusCallback callback, NoticeStatusChanged change, CancellationToken ct, CallbackNotice? notice = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Body(change.NoticeId, change.Channel, change.Status, change.ChangedAt,
            notice?.Reference, notice?.Protocol, notice?.Test ?? false), Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, callback.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(SignatureHeader, Sign(callback.Secret, body));
        request.Headers.Add(TimestampHeader, clock.GetUtcNow().ToUnixTimeSeconds().ToString());
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e) when (e.InnerException is CallbackAddressRefusedException)
        {
            throw new PermanentFailureException("callback address not allowed (not a public address)");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException && !ct.IsCancellationRequested)
        {
            throw new TransientFailureException($"callback not answered: {e.GetType().Name}");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? status : status is 408 or 429 or >= 500
                ? throw new TransientFailureException($"callback answered HTTP {status}")
                : throw new PermanentFailureException($"callback refused with HTTP {status}");
        }
    }
}

/// <summary>The notice's own identifiers a status callback carries (issue 18, point 4), read when the callback is sent.</summary>
public sealed record CallbackNotice(string? Reference, Notices.ProtocolResponse? Protocol, bool Test);
