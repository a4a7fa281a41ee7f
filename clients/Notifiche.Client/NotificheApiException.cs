using System.Net;

namespace Notifiche.Client;

/// <summary>
/// The platform refused a call: its problem+json answer (RFC 9457) as a typed exception. <see cref="Errors"/> names
/// each invalid field of a 400 (e.g. <c>fiscal_code</c>, <c>content.subject</c>) with what is wrong with it.
/// </summary>
public sealed class NotificheApiException(
    HttpStatusCode status, string? title, string? detail, string? type, IReadOnlyDictionary<string, string[]> errors, TimeSpan? retryAfter)
    : Exception(Describe(status, title, detail, errors))
{
    public HttpStatusCode Status { get; } = status;

    public string? Title { get; } = title;

    public string? Detail { get; } = detail;

    /// <summary>The problem type URI, when the platform gave one.</summary>
    public string? Type { get; } = type;

    /// <summary>Field name → what is wrong with it; empty unless the answer was a validation problem.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>The wait the platform asked for (429, 503) after the client's own retries were spent.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    private static string Describe(HttpStatusCode status, string? title, string? detail, IReadOnlyDictionary<string, string[]> errors)
    {
        var text = $"Notifiche answered {(int)status}: {title ?? status.ToString()}";
        if (detail is not null)
        {
            text += $" — {detail}";
        }

        return errors.Count == 0 ? text : text + " (" + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")) + ")";
    }
}
