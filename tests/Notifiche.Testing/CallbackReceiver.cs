using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Notifiche.Testing;

/// <summary>One POST a service's receiver got: the raw body and the signature headers.</summary>
public sealed record ReceivedCallback(byte[] Body, string? Signature, string? Timestamp);

/// <summary>A PA service's status callback receiver on a fixed loopback port, which a spec can take down and bring back.</summary>
public sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly int _port = FreePort.Next();
    private WebApplication? _app;

    public Uri Url => new($"http://127.0.0.1:{_port}/notifiche/status");

    public ConcurrentQueue<ReceivedCallback> Received { get; } = new();

    /// <summary>The status the receiver answers with (204 unless a spec says otherwise).</summary>
    public int AnswerStatus { get; set; } = StatusCodes.Status204NoContent;

    public static async Task<CallbackReceiver> StartAsync()
    {
        var receiver = new CallbackReceiver();
        await receiver.UpAsync();
        return receiver;
    }

    public async Task UpAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/notifiche/status", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            Received.Enqueue(new ReceivedCallback(body.ToArray(), http.Request.Headers["X-Notifiche-Signature"], http.Request.Headers["X-Notifiche-Timestamp"]));
            return Results.StatusCode(AnswerStatus);
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task DownAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(DownAsync());
}
