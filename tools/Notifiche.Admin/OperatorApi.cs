using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Notifiche.Admin;

/// <summary>The gateway's operator API (<c>/api/v1/admin</c>, header X-Operator-Key); a refusal becomes an <see cref="AdminException"/> that says why.</summary>
public sealed class OperatorApi(GatewaySettings settings) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = settings.Url, Timeout = TimeSpan.FromSeconds(30) };

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonElement> PostAsync(string path, JsonNode? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    public Task<JsonElement> PatchAsync(string path, JsonNode body, CancellationToken ct) => SendAsync(HttpMethod.Patch, path, body, ct);

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, "/api/v1/admin" + path)
        {
            Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Operator-Key", settings.OperatorKey);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            throw new AdminException($"Cannot reach the gateway at {settings.Url} ({e.Message}). Check that it runs and that --url or "
                + $"{GatewaySettings.UrlVariable} points at it.");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
            }

            throw new AdminException(Explain(response.StatusCode, text));
        }
    }

    /// <summary>What went wrong, from the problem+json answer: title, detail and each field's problem.</summary>
    private static string Explain(HttpStatusCode status, string body)
    {
        if (status == HttpStatusCode.Unauthorized)
        {
            return $"The gateway refused the operator key (401). Set {GatewaySettings.OperatorKeyVariable} (or --operator-key) to the gateway's "
                + "Gateway:OperatorKey; the admin API refuses everything while that setting is empty.";
        }

        if (status == HttpStatusCode.NotFound && !body.Contains("\"detail\"", StringComparison.Ordinal))
        {
            // Not a missing service (that 404 says which): the path itself is unknown there, as on the gateway's API port.
            return $"The gateway answered 404 for the admin API: it answers only on the gateway's management port (Management:Port; "
                + $"5081 on the standalone, 8081 in the images). Point --url or {GatewaySettings.UrlVariable} at that port, not the API's.";
        }

        var message = new StringBuilder($"The gateway answered {(int)status} {status}");
        try
        {
            var problem = JsonSerializer.Deserialize<JsonElement>(body);
            if (problem.TryGetProperty("title", out var title))
            {
                message.Append($": {title.GetString()}");
            }

            if (problem.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } text)
            {
                message.Append($". {text}");
            }

            if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in errors.EnumerateObject())
                {
                    message.Append($"{Environment.NewLine}  {field.Name}: {string.Join("; ", field.Value.EnumerateArray().Select(e => e.GetString()))}");
                }
            }
        }
        catch (JsonException)
        {
            message.Append(" (not a problem+json answer: is --url the gateway?)");
        }

        return message.ToString();
    }

    public void Dispose() => _http.Dispose();
}
