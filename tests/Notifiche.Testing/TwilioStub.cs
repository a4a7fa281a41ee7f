using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Notifiche.Testing;

/// <summary>One request the stub received: when, for which account, with which credentials and form fields.</summary>
public sealed record TwilioRequest(DateTimeOffset At, string AccountSid, string? Authorization, IReadOnlyDictionary<string, string> Form)
{
    public string To => Form["To"];
    public string Body => Form["Body"];
}

/// <summary>What the stub answers: a status, Twilio's JSON, optionally a Retry-After and a delay before answering.</summary>
public sealed record TwilioAnswer(int Status, object Json, int? RetryAfterSeconds = null, TimeSpan? Delay = null)
{
    /// <summary>The message was created although the answer is an error (a gateway failing after Twilio took it).</summary>
    public bool Recorded { get; init; }

    public static TwilioAnswer Created(string sid) => new(201, new { sid, status = "queued", num_segments = "1" });

    /// <summary>Twilio's error document; the message quotes the number, as Twilio's do.</summary>
    public static TwilioAnswer Error(int status, int code, int? retryAfterSeconds = null) =>
        new(status, new { code, message = "The 'To' number +393470000000 is not valid", more_info = $"https://www.twilio.com/docs/errors/{code}", status },
            retryAfterSeconds);
}

/// <summary>
/// A local HTTP server speaking Twilio's Messages resource: form-encoded POST to
/// <c>/2010-04-01/Accounts/{AccountSid}/Messages.json</c> with basic auth, JSON answers. It checks the credentials
/// (401 / 20003 when wrong) and answers what <see cref="Answer"/> decides; it records every request.
/// </summary>
public sealed class TwilioStub : IAsyncDisposable
{
    /// <summary>Twilio's form (AC and 32 hex digits), random per test process like every test secret.</summary>
    public static readonly string AccountSid = "AC" + System.Security.Cryptography.RandomNumberGenerator.GetHexString(32, lowercase: true);

    public static readonly string AuthToken = System.Security.Cryptography.RandomNumberGenerator.GetHexString(32, lowercase: true);

    private readonly WebApplication _app;
    private int _sids;
    private int _disposed;

    private TwilioStub(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<TwilioRequest> Requests { get; } = new();

    /// <summary>Decides the answer to each request (given the number of requests so far, this one included). Default: created.</summary>
    public Func<TwilioRequest, int, TwilioAnswer?> Answer { get; set; } = (_, _) => null;

    /// <summary>Requests answered 201 or <see cref="TwilioAnswer.Recorded"/>: what was really "sent".</summary>
    public ConcurrentQueue<TwilioRequest> Accepted { get; } = new();

    /// <summary>The SMS dispatcher's settings that point it at this stub (fast retries, a short circuit break).</summary>
    public Dictionary<string, string?> DispatcherSettings() => new()
    {
        ["Sms:Provider"] = "Twilio",
        ["Sms:Twilio:BaseAddress"] = BaseAddress.ToString(),
        ["Sms:Twilio:AccountSid"] = AccountSid,
        ["Sms:Twilio:AuthToken"] = AuthToken,
        ["Sms:Twilio:From"] = "Notifiche",
        ["Sms:PricePerSegmentEuro"] = "0.05",
        ["Sms:Resilience:RetryDelay"] = "00:00:00.050",
        ["Sms:Resilience:CircuitBreakDuration"] = "00:00:02",
    };

    public static async Task<TwilioStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new TwilioStub(app);
        app.MapPost("/2010-04-01/Accounts/{accountSid}/Messages.json", (Func<HttpContext, string, Task<IResult>>)stub.HandleAsync);
        await app.StartAsync();
        stub.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return stub;
    }

    private async Task<IResult> HandleAsync(HttpContext http, string accountSid)
    {
        var form = (await http.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
        var request = new TwilioRequest(DateTimeOffset.UtcNow, accountSid, http.Request.Headers.Authorization, form);
        Requests.Enqueue(request);

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));
        var answer = request.Authorization != expected || accountSid != AccountSid
            ? TwilioAnswer.Error(401, 20003)
            : Answer(request, Requests.Count) ?? TwilioAnswer.Created($"SM{Interlocked.Increment(ref _sids):D32}");
        if (answer.Delay is { } delay)
        {
            await Task.Delay(delay);
        }

        if (answer.RetryAfterSeconds is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString();
        }

        if (answer.Status == 201 || answer.Recorded)
        {
            Accepted.Enqueue(request);
        }

        return Results.Json(answer.Json, statusCode: answer.Status);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
