using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace Notifiche.Dispatch.Push.Integrations.Firebase;

/// <summary>Firebase Cloud Messaging HTTP v1: one message to one device token per call.</summary>
public interface IFcmApi
{
    [Post("/v1/projects/{projectId}/messages:send")]
    Task<IApiResponse<FcmSendResponse>> SendAsync(string projectId, [Body] FcmSendRequest request, CancellationToken ct);
}

public sealed record FcmSendRequest([property: JsonPropertyName("message")] FcmMessage Message);

public sealed record FcmMessage(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("notification")] FcmNotification Notification,
    [property: JsonPropertyName("data")] IReadOnlyDictionary<string, string> Data);

public sealed record FcmNotification(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("body")] string Body);

/// <summary>The created message's name, <c>projects/{project}/messages/{id}</c>.</summary>
public sealed record FcmSendResponse([property: JsonPropertyName("name")] string Name);

/// <summary>Google's error document: <c>{"error": {code, message, status, details: [{"@type": "…FcmError", errorCode}]}}</c>.</summary>
public sealed record FcmErrorResponse([property: JsonPropertyName("error")] FcmError? Error);

public sealed record FcmError(
    [property: JsonPropertyName("code")] int? Code,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("details")] IReadOnlyList<JsonElement>? Details)
{
    /// <summary>FCM's own error code (UNREGISTERED, QUOTA_EXCEEDED…) when given, else the canonical status.</summary>
    public string? ErrorCode => Details?
        .Where(d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("errorCode", out var c) && c.ValueKind == JsonValueKind.String)
        .Select(d => d.GetProperty("errorCode").GetString())
        .FirstOrDefault() ?? Status;

    /// <summary>
    /// Whether a <c>google.rpc.BadRequest</c> detail names the device token (<c>fieldViolations[].field</c>
    /// <c>message.token</c>): the only INVALID_ARGUMENT that says the token, not the message, is wrong.
    /// </summary>
    public bool NamesToken => Details?.Any(d => d.ValueKind == JsonValueKind.Object
        && d.TryGetProperty("fieldViolations", out var violations) && violations.ValueKind == JsonValueKind.Array
        && violations.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("field", out var named)
            && named.ValueKind == JsonValueKind.String && named.GetString() == "message.token")) == true;
}

/// <summary>Source-generated JSON for Refit's generated client (Refit 16 builds requests at compile time).</summary>
[JsonSerializable(typeof(FcmSendRequest))]
[JsonSerializable(typeof(FcmSendResponse))]
[JsonSerializable(typeof(FcmErrorResponse))]
public sealed partial class FcmJsonContext : JsonSerializerContext;
