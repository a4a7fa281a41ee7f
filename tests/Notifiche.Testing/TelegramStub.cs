using System.Collections.Concurrent;
using System.Net.Http.Json;
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

/// <summary>One <c>sendMessage</c> the stub received: when, with which token, and its JSON parameters.</summary>
public sealed record TelegramRequest(DateTimeOffset At, string Token, JsonObject Body)
{
    public long ChatId => Body["chat_id"]!.GetValue<long>();
    public string Text => Body["text"]!.GetValue<string>();
    public string? ParseMode => Body["parse_mode"]?.GetValue<string>();
}

/// <summary>What the stub answers: a status and the Bot API's JSON.</summary>
public sealed record TelegramAnswer(int Status, object Json)
{
    /// <summary>429 with <c>parameters.retry_after</c> in the body only, as the Bot API sends it.</summary>
    public static TelegramAnswer TooManyRequests(int retryAfterSeconds) => new(429, new
    {
        ok = false, error_code = 429, description = $"Too Many Requests: retry after {retryAfterSeconds}", parameters = new { retry_after = retryAfterSeconds },
    });

    public static TelegramAnswer Blocked() => Error(403, "Forbidden: bot was blocked by the user");

    public static TelegramAnswer Error(int status, string description) => new(status, new { ok = false, error_code = status, description });
}

/// <summary>
/// A local HTTP server speaking the Telegram Bot API's <c>sendMessage</c> (<c>POST /bot&lt;token&gt;/sendMessage</c>, JSON):
/// it checks the token (401 when wrong, as Telegram does), answers what <see cref="Answer"/> decides and records every
/// request. It also plays Telegram's side of a webhook: <see cref="PostUpdateAsync"/> posts an update with the secret token.
/// </summary>
public sealed class TelegramStub : IAsyncDisposable
{
    public const string Token = "123456789:AAtest-bot-token-0123456789abcdefghij";
    public const string BotUsername = "notifiche_test_bot";

    private readonly WebApplication _app;
    private readonly HttpClient _webhookClient = new();
    private long _messageIds;
    private long _updateIds;
    private int _disposed;

    private TelegramStub(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<TelegramRequest> Requests { get; } = new();

    /// <summary>Requests answered 200: what was really sent.</summary>
    public ConcurrentQueue<TelegramRequest> Accepted { get; } = new();

    /// <summary>Decides the answer to each request (given the number of requests so far, this one included). Default: sent.</summary>
    public Func<TelegramRequest, int, TelegramAnswer?> Answer { get; set; } = (_, _) => null;

    /// <summary>The Telegram dispatcher's settings that point it at this stub (fast retries, a short circuit break).</summary>
    public Dictionary<string, string?> DispatcherSettings() => new()
    {
        ["Telegram:Provider"] = "BotApi",
        ["Telegram:BotApi:BaseAddress"] = BaseAddress.ToString(),
        ["Telegram:BotApi:Token"] = Token,
        ["Telegram:Resilience:RetryDelay"] = "00:00:00.050",
        ["Telegram:Resilience:CircuitBreakDuration"] = "00:00:02",
    };

    public static async Task<TelegramStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new TelegramStub(app);
        // Not "/bot{token}/…": routing matches a complex segment's literal from the right, and a token may contain "bot".
        app.MapPost("/{bot}/sendMessage", (Func<HttpContext, string, Task<IResult>>)stub.HandleAsync);
        await app.StartAsync();
        stub.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return stub;
    }

    private async Task<IResult> HandleAsync(HttpContext http, string bot)
    {
        var token = bot.StartsWith("bot", StringComparison.Ordinal) ? bot[3..] : string.Empty;
        var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
        var request = new TelegramRequest(DateTimeOffset.UtcNow, token, body);
        Requests.Enqueue(request);
        var answer = token != Token
            ? TelegramAnswer.Error(401, "Unauthorized")
            : Answer(request, Requests.Count);
        if (answer is not null)
        {
            return Results.Json(answer.Json, statusCode: answer.Status);
        }

        Accepted.Enqueue(request);
        return Results.Json(new
        {
            ok = true,
            result = new { message_id = Interlocked.Increment(ref _messageIds), date = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), chat = new { id = request.ChatId, type = "private" }, text = request.Text },
        });
    }

    /// <summary>
    /// What Telegram does when the citizen writes <paramref name="text"/> to the bot in a private chat: posts the update
    /// to the webhook with the <c>X-Telegram-Bot-Api-Secret-Token</c> header. The answer may carry a method call (the
    /// bot's reply); <see cref="WebhookReply.Text"/> reads it.
    /// </summary>
    public async Task<WebhookReply> PostUpdateAsync(Uri webhook, string? secret, long chatId, string text)
    {
        var update = new
        {
            update_id = Interlocked.Increment(ref _updateIds),
            message = new
            {
                message_id = 1, date = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), text,
                chat = new { id = chatId, type = "private", first_name = "Mario" },
                from = new { id = chatId, is_bot = false, first_name = "Mario" },
            },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = JsonContent.Create(update) };
        if (secret is not null)
        {
            request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
        }

        using var response = await _webhookClient.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        return new WebhookReply((int)response.StatusCode, string.IsNullOrWhiteSpace(content) ? null : JsonNode.Parse(content) as JsonObject);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _webhookClient.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The webhook's answer to an update: its status and, when the bot replies, the method call in the body.</summary>
public sealed record WebhookReply(int Status, JsonObject? Body)
{
    public string? Method => Body?["method"]?.GetValue<string>();
    public long? ChatId => Body?["chat_id"]?.GetValue<long>();
    public string? Text => Body?["text"]?.GetValue<string>();

    public override string ToString() => $"{Status} {Body?.ToJsonString(new JsonSerializerOptions { WriteIndented = false })}";
}
