using System.Text.Json.Serialization;
using Refit;

namespace Notifiche.Dispatch.Sms.Integrations.Twilio;

/// <summary>Twilio's Messages resource (REST API 2010-04-01): form-encoded create, JSON answer.</summary>
public interface ITwilioApi
{
    /// <param name="form"><c>To</c>, <c>Body</c> and <c>From</c> or <c>MessagingServiceSid</c>.</param>
    [Post("/2010-04-01/Accounts/{accountSid}/Messages.json")]
    Task<IApiResponse<TwilioMessage>> CreateMessageAsync(
        string accountSid, [Body(BodySerializationMethod.UrlEncoded)] IDictionary<string, string> form, CancellationToken ct);
}

public sealed record TwilioMessage(
    [property: JsonPropertyName("sid")] string Sid,
    [property: JsonPropertyName("status")] string? Status);

/// <summary>Twilio's error document: <c>{code, message, more_info, status}</c>.</summary>
public sealed record TwilioError(
    [property: JsonPropertyName("code")] int? Code,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("more_info")] string? MoreInfo,
    [property: JsonPropertyName("status")] int? Status);

/// <summary>Source-generated JSON for Refit's generated client (Refit 16 builds requests at compile time).</summary>
[JsonSerializable(typeof(TwilioMessage))]
[JsonSerializable(typeof(TwilioError))]
[JsonSerializable(typeof(IDictionary<string, string>))]
public sealed partial class TwilioJsonContext : JsonSerializerContext;
