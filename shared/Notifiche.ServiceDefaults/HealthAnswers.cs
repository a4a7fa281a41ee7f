using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Notifiche.ServiceDefaults;

/// <summary>
/// The JSON a health endpoint answers: its verdict and every check it ran, by name and state. A check's description is
/// shown only when the check is tagged <see cref="ServiceDefaultsExtensions.DescribedTag"/> (written by us, counts and
/// ages only); never an exception or a library's description, which can carry a host name, a user name or a whole
/// connection string. Nothing here is personal data.
/// </summary>
public static class HealthAnswers
{
    /// <summary>
    /// The status code and body of an endpoint whose verdict is decided by the checks <paramref name="decides"/> selects
    /// (Healthy → 200, anything else → 503); the others it ran are reported beside it without changing it.
    /// </summary>
    public static Func<HttpContext, HealthReport, Task> Writer(Func<IReadOnlyCollection<string>, bool> decides) => (context, report) =>
    {
        var deciding = report.Entries.Where(e => decides(e.Value.Tags.ToList())).Select(e => e.Value.Status).ToList();
        var verdict = deciding.Count == 0 ? HealthStatus.Healthy : deciding.Min();
        context.Response.StatusCode = verdict == HealthStatus.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new Answer(
            verdict.ToString(),
            report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new Check(
                e.Key,
                e.Value.Status.ToString(),
                decides(e.Value.Tags.ToList()),
                e.Value.Tags.Contains(ServiceDefaultsExtensions.DescribedTag) ? e.Value.Description : null,
                Math.Round(e.Value.Duration.TotalMilliseconds, 1))).ToList()), AnswerJson.Options, context.RequestAborted);
    };

    private sealed record Answer(string Status, IReadOnlyList<Check> Checks);

    private sealed record Check(string Name, string Status, bool Decides, string? Description, double DurationMs);

    private static class AnswerJson
    {
        public static readonly JsonSerializerOptions Options = new()
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        };
    }
}
