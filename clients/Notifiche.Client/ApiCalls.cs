using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Notifiche.Client;

/// <summary>Sends a call, reads its JSON answer (snake_case, as the API writes it) or turns a problem+json into a <see cref="NotificheApiException"/>.</summary>
internal sealed class ApiCalls(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // The API refuses unknown members and reads a missing one as null: send only what is set.
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public const string ApiKeyHeader = "X-Api-Key";

    public HttpClient Http { get; } = http;

    public static HttpRequestMessage Request(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.RelativeOrAbsolute));
        if (body is not null)
        {
            // Bytes, not a stream: a retry sends the same content again.
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return request;
    }

    /// <summary>The answer when successful (the caller disposes it); null for a 404 when <paramref name="notFoundIsNull"/>; else throws.</summary>
    public async Task<HttpResponseMessage?> SendAsync(HttpRequestMessage request, bool notFoundIsNull, CancellationToken ct)
    {
        var response = await Http.SendAsync(request, ct);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            throw await ProblemAsync(response, ct);
        }
    }

    public Task<T?> GetAsync<T>(string path, CancellationToken ct, bool notFoundIsNull = false)
        where T : class => CallAsync<T>(HttpMethod.Get, path, ct, notFoundIsNull);

    /// <summary>A call without a body whose answer is read: null for a 404 when <paramref name="notFoundIsNull"/>.</summary>
    public async Task<T?> CallAsync<T>(HttpMethod method, string path, CancellationToken ct, bool notFoundIsNull = false)
        where T : class
    {
        using var request = Request(method, path);
        using var response = await SendAsync(request, notFoundIsNull, ct);
        return response is null ? null : await ReadAsync<T>(response, ct);
    }

    public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = Request(method, path, body);
        using var response = (await SendAsync(request, notFoundIsNull: false, ct))!;
        return await ReadAsync<T>(response, ct);
    }

    /// <summary>A call answered without a body (204): false for a 404 when <paramref name="notFoundIsFalse"/>.</summary>
    public async Task<bool> SendAsync(HttpMethod method, string path, CancellationToken ct, bool notFoundIsFalse = false)
    {
        using var request = Request(method, path);
        using var response = await SendAsync(request, notFoundIsFalse, ct);
        return response is not null;
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct) =>
        await response.Content.ReadFromJsonAsync<T>(Json, ct)
        ?? throw new NotificheApiException(response.StatusCode, "Empty answer", "The platform answered without a body.", null,
            new Dictionary<string, string[]>(), null);

    private static async Task<NotificheApiException> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        string? title = null, detail = null, type = null;
        var errors = new Dictionary<string, string[]>();
        var retryAfter = response.Headers.RetryAfter is { } after
            ? after.Delta ?? (after.Date is { } date ? date - DateTimeOffset.UtcNow : null)
            : null;
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
            if (problem.RootElement.ValueKind == JsonValueKind.Object)
            {
                var root = problem.RootElement;
                title = Text(root, "title");
                detail = Text(root, "detail");
                type = Text(root, "type");
                if (root.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in fields.EnumerateObject())
                    {
                        errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                            ? [.. field.Value.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : m.GetRawText())]
                            : [field.Value.ToString()];
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not problem+json (a proxy's HTML page): the status says what there is to say.
        }

        return new NotificheApiException(response.StatusCode, title ?? response.ReasonPhrase, detail, type, errors, retryAfter);
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
