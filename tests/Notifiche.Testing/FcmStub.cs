using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Notifiche.Testing;

/// <summary>One FCM send the stub received.</summary>
public sealed record FcmRequest(DateTimeOffset At, string ProjectId, string? Authorization, string Token, string Title, string Body, string? NoticeId);

/// <summary>What the stub answers a send: an HTTP status and FCM's error code (null: success), optionally a Retry-After.</summary>
public sealed record FcmAnswer(int Status, string? ErrorCode, int? RetryAfterSeconds = null)
{
    /// <summary>The request field a <c>google.rpc.BadRequest</c> detail names (FCM names <c>message.token</c> for a malformed token).</summary>
    public string? FieldViolation { get; init; }

    /// <summary>An HTML page instead of Google's error document (a proxy's or a load balancer's error page).</summary>
    public bool Html { get; init; }

    public static FcmAnswer Error(int status, string errorCode, int? retryAfterSeconds = null) => new(status, errorCode, retryAfterSeconds);

    /// <summary>FCM's answer to a token that is not a registration token: 400 INVALID_ARGUMENT naming <c>message.token</c>.</summary>
    public static FcmAnswer InvalidToken() => new(400, "INVALID_ARGUMENT") { FieldViolation = "message.token" };

    public static FcmAnswer HtmlPage(int status) => new(status, null) { Html = true };
}

/// <summary>
/// A local server speaking FCM HTTP v1 (<c>POST /v1/projects/{project}/messages:send</c>, bearer token, Google's error
/// document) and Google's OAuth2 token endpoint (<c>POST /token</c>, JWT-bearer grant), plus a service-account key
/// file whose <c>token_uri</c> points at it, signed with an RSA key made for the test.
/// </summary>
public sealed class FcmStub : IAsyncDisposable
{
    public const string ProjectId = "notifiche-test";

    private readonly WebApplication _app;
    private int _tokens;
    private int _names;
    private int _disposed;

    private FcmStub(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public string CredentialsFile { get; private set; } = null!;

    public ConcurrentQueue<FcmRequest> Requests { get; } = new();

    public ConcurrentQueue<FcmRequest> Delivered { get; } = new();

    /// <summary>Access tokens the token endpoint issued.</summary>
    public int TokensIssued => _tokens;

    /// <summary>Decides the answer for each send (given the number of sends so far); null: success.</summary>
    public Func<FcmRequest, int, FcmAnswer?> Answer { get; set; } = (_, _) => null;

    /// <summary>The push dispatcher's settings that point it (and its OAuth token requests) at this stub.</summary>
    public Dictionary<string, string?> DispatcherSettings() => new()
    {
        ["Push:Provider"] = "Fcm",
        ["Push:Fcm:BaseAddress"] = BaseAddress.ToString(),
        ["Push:Fcm:ProjectId"] = ProjectId,
        ["Push:Fcm:CredentialsFile"] = CredentialsFile,
        ["Push:Resilience:RetryDelay"] = "00:00:00.050",
    };

    public static async Task<FcmStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new FcmStub(app);
        app.MapPost("/token", (Func<HttpContext, Task<IResult>>)stub.IssueTokenAsync);
        app.MapPost("/v1/projects/{projectId}/messages:send", (Func<HttpContext, string, Task<IResult>>)stub.SendAsync);
        await app.StartAsync();
        stub.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        stub.CredentialsFile = stub.WriteServiceAccountFile();
        return stub;
    }

    private string WriteServiceAccountFile()
    {
        using var rsa = RSA.Create(2048);
        var path = Path.Combine(Path.GetTempPath(), $"fcm-sa-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = ProjectId,
            ["private_key_id"] = "test-key-1",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = $"notifiche@{ProjectId}.iam.gserviceaccount.com",
            ["client_id"] = "100000000000000000001",
            ["token_uri"] = new Uri(BaseAddress, "/token").ToString(),
        }));
        return path;
    }

    private async Task<IResult> IssueTokenAsync(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync();
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || string.IsNullOrEmpty(form["assertion"]))
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }

        return Results.Json(new { access_token = $"ya29.test-{Interlocked.Increment(ref _tokens)}", expires_in = 3600, token_type = "Bearer" });
    }

    private async Task<IResult> SendAsync(HttpContext http, string projectId)
    {
        var message = (await JsonNode.ParseAsync(http.Request.Body))!["message"]!;
        var request = new FcmRequest(DateTimeOffset.UtcNow, projectId, http.Request.Headers.Authorization, (string)message["token"]!,
            (string)message["notification"]!["title"]!, (string)message["notification"]!["body"]!, (string?)message["data"]?["notice_id"]);
        Requests.Enqueue(request);

        var answer = request.Authorization is not { } auth || !auth.StartsWith("Bearer ya29.test-", StringComparison.Ordinal)
            ? FcmAnswer.Error(401, "UNAUTHENTICATED")
            : Answer(request, Requests.Count);
        if (answer is null)
        {
            Delivered.Enqueue(request);
            return Results.Json(new { name = $"projects/{projectId}/messages/0:{Interlocked.Increment(ref _names)}" });
        }

        if (answer.RetryAfterSeconds is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString();
        }

        if (answer.Html)
        {
            return Results.Content($"<html><body><h1>{answer.Status}</h1>The proxy could not reach the upstream.</body></html>", "text/html", statusCode: answer.Status);
        }

        var details = new List<object> { new Dictionary<string, string> { ["@type"] = "type.googleapis.com/google.firebase.fcm.v1.FcmError", ["errorCode"] = answer.ErrorCode! } };
        if (answer.FieldViolation is { } field)
        {
            details.Add(new Dictionary<string, object>
            {
                ["@type"] = "type.googleapis.com/google.rpc.BadRequest",
                ["fieldViolations"] = new[] { new Dictionary<string, string> { ["field"] = field, ["description"] = "Invalid registration token" } },
            });
        }

        var status = answer.Status switch { 400 => "INVALID_ARGUMENT", 401 => "UNAUTHENTICATED", 403 => "PERMISSION_DENIED", 404 => "NOT_FOUND", 429 => "RESOURCE_EXHAUSTED", 503 => "UNAVAILABLE", _ => "INTERNAL" };
        return Results.Json(new
        {
            error = new
            {
                code = answer.Status, message = "Requested entity was not found.", status,
                details,
            },
        }, statusCode: answer.Status);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(CredentialsFile);
    }
}
