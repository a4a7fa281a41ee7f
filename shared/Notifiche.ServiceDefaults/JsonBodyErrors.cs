using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Notifiche.ServiceDefaults;

/// <summary>
/// A request body System.Text.Json refused, as the field-level error of the APIs' problem+json: the member it stopped at
/// (as the body spells it, <c>content.subject</c>) and why. Unknown members are refused too
/// (<see cref="System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow"/>, set in <see cref="ServiceDefaultsExtensions"/>):
/// a misspelt field must never be silently ignored.
/// </summary>
public static class JsonBodyErrors
{
    public const string UnknownMember = "is not a field of this request";
    public const string InvalidValue = "is not valid JSON for this field";

    /// <summary>The field (<c>body</c> for the whole document) and the message naming the problem.</summary>
    public static (string Field, string Message) Describe(JsonException e)
    {
        var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
        // System.Text.Json has no distinct exception type for an unmapped member; its (English-only) message is the one sign.
        return (field, e.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) ? UnknownMember : InvalidValue);
    }

    public static IResult Problem(JsonException e)
    {
        var (field, message) = Describe(e);
        return Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
            title: message == UnknownMember ? "Unknown field" : "Malformed JSON",
            detail: message == UnknownMember
                ? $"The body has a member '{field}' this API does not know; remove it or correct its spelling."
                : $"The body could not be read (line {e.LineNumber + 1}).");
    }
}

/// <summary>
/// A body a minimal-API endpoint could not bind (malformed JSON, a wrong type, an unknown member) answers 400 problem+json
/// naming the field, like every other invalid input; other bad requests keep their status with a plain problem.
/// Needs <c>RouteHandlerOptions.ThrowOnBadRequest</c>, which <see cref="ServiceDefaultsExtensions.AddServiceDefaults"/> sets.
/// </summary>
public sealed class BadRequestBodyHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || http.Response.HasStarted)
        {
            return false;
        }

        var result = bad.InnerException is JsonException json
            ? JsonBodyErrors.Problem(json)
            : Results.Problem(statusCode: bad.StatusCode, title: "Bad request",
                detail: "The request could not be read: check its parameters and body against the OpenAPI document.");
        await result.ExecuteAsync(http);
        return true;
    }
}
