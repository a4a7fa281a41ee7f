using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.Client.Tests;

/// <summary>The real network to the gateway, noting the <c>Idempotency-Key</c> of every attempt that passes through.</summary>
public class CountingTransport() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly List<string?> _keys = [];

    public IReadOnlyList<string?> Keys
    {
        get
        {
            lock (_keys)
            {
                return [.. _keys];
            }
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        lock (_keys)
        {
            _keys.Add(request.Headers.TryGetValues(NotificheClient.IdempotencyKeyHeader, out var values) ? values.Single() : null);
        }

        return base.SendAsync(request, ct);
    }
}

/// <summary>
/// A proxy in front of the gateway that spoils the first attempt: it answers <paramref name="status"/> with
/// <c>Retry-After</c>, after passing the request on (<paramref name="afterTheGateway"/>: the gateway accepted it and the
/// answer was lost) or without.
/// </summary>
public sealed class SpoilFirstAttempt(HttpStatusCode status, TimeSpan retryAfter, bool afterTheGateway) : CountingTransport
{
    private int _attempts;

    /// <summary>The gateway's answer to the spoiled attempt, when it was passed on.</summary>
    public JsonElement? LostAnswer { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var answer = await base.SendAsync(request, ct);
        if (Interlocked.Increment(ref _attempts) > 1)
        {
            return answer;
        }

        if (afterTheGateway)
        {
            LostAnswer = await answer.Content.ReadFromJsonAsync<JsonElement>(ct);
        }

        answer.Dispose();
        var spoiled = new HttpResponseMessage(status)
        {
            RequestMessage = request,
            Content = new StringContent("""{"title":"Busy","status":503}""", System.Text.Encoding.UTF8, "application/problem+json"),
        };
        spoiled.Headers.RetryAfter = new RetryConditionHeaderValue(retryAfter);
        return spoiled;
    }
}

public class Retrying_a_call
{
    [TestCase(HttpStatusCode.ServiceUnavailable)]
    [TestCase(HttpStatusCode.TooManyRequests)]
    public async Task Should_retry_after_the_wait_the_answer_asks_for_with_the_same_idempotency_key(HttpStatusCode status)
    {
        var transport = new SpoilFirstAttempt(status, TimeSpan.FromSeconds(2), afterTheGateway: false);
        var client = await Platform.ServiceClientAsync($"client-retry-{(int)status}", transport);

        var clock = Stopwatch.StartNew();
        var submitted = await client.SubmitNoticeAsync(Platform.Notice(Citizens.NewFiscalCode(), "luca.verdi@example.it"));
        clock.Stop();

        Assert.That(transport.Keys, Has.Count.EqualTo(2));
        Assert.That(transport.Keys.Distinct().Single(), Is.EqualTo(submitted.IdempotencyKey), "both attempts carry the call's key");
        // The client's own back-off is 10 ms here: only Retry-After makes it wait this long.
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9)), "Retry-After honoured");
        Assert.That((await client.GetNoticeAsync(submitted.Id))?.Id, Is.EqualTo(submitted.Id));
    }

    [Test]
    public async Task Should_get_the_notice_accepted_once_when_the_first_answer_is_lost()
    {
        var transport = new SpoilFirstAttempt(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(1), afterTheGateway: true);
        var client = await Platform.ServiceClientAsync("client-lost-answer", transport);

        var submitted = await client.SubmitNoticeAsync(Platform.Notice(Citizens.NewFiscalCode(), "giulia.neri@example.it"));

        Assert.That(transport.Keys, Has.Count.EqualTo(2));
        Assert.That(transport.Keys.Distinct().Single(), Is.EqualTo(submitted.IdempotencyKey));
        Assert.That(transport.LostAnswer?.GetProperty("id").GetGuid(), Is.EqualTo(submitted.Id), "the retry returns the notice the lost answer carried");
        Assert.That(submitted.Replayed, Is.True, "the gateway recognised the key: one notice, not two");
    }

    [Test]
    public async Task Should_give_up_after_the_last_retry_with_the_platforms_problem()
    {
        var busy = new AlwaysBusy();
        var client = NotificheClient.Create(new NotificheClientOptions
        {
            BaseAddress = Platform.Hosts.Gateway.BaseAddress, ApiKey = "irrelevant-the-stub-answers-first-0123456789",
            Retry = new NotificheRetryOptions { MaxRetryAttempts = 2, Delay = TimeSpan.FromMilliseconds(10) },
        }, busy);

        var refused = Assert.ThrowsAsync<NotificheApiException>(() => client.SubmitNoticeAsync(Platform.Notice(Citizens.NewFiscalCode())))!;
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(refused.Title, Is.EqualTo("Storage unavailable"));
        Assert.That(refused.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(busy.Attempts, Is.EqualTo(3), "the first attempt and two retries");
    }

    private sealed class AlwaysBusy : HttpMessageHandler
    {
        private int _attempts;

        public int Attempts => _attempts;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Interlocked.Increment(ref _attempts);
            var busy = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            {
                RequestMessage = request,
                Content = new StringContent("""{"title":"Storage unavailable","status":503}""", System.Text.Encoding.UTF8, "application/problem+json"),
            };
            busy.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
            return Task.FromResult(busy);
        }
    }
}
