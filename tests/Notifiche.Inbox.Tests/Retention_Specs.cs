using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Notifiche.Gateway.Retention;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

public class Deleting_content_after_its_retention
{
    [Test]
    public async Task Should_delete_the_content_of_old_notices_and_keep_their_status_and_audit_trail()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("retention");
        var citizen = Citizens.NewFiscalCode();
        var old = await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("retention")));
        await Api.WaitForStatusAsync(service, old, s => Api.ChannelStatus(s, "email") == "SENT", "old notice SENT");
        var oldStatus = await Api.StatusAsync(service, old);
        // The pass runs as if the retention period had ended between the two notices (the job computes now − Retention:ContentRetention).
        var cutoff = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromMilliseconds(20));
        var recent = await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("retention")));
        await Api.WaitForInboxAsync(citizen, 2);

        var deleted = await Platform.Hosts.GatewayServices.GetRequiredService<ContentRetention>().PurgeAsync(cutoff, CancellationToken.None);

        Assert.That(deleted, Is.GreaterThanOrEqualTo(1));
        var gone = await (await Api.ReadAsync(citizen, old)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(gone.GetProperty("subject").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(gone.GetProperty("markdown").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(gone.GetProperty("html").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(gone.GetProperty("content_note").GetString(), Does.Contain("deleted at the end of its retention period"));
        Assert.That((await Api.PageAsync(citizen)).GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("id").GetGuid() == old).GetProperty("content_deleted").GetBoolean(), Is.True);
        var kept = await (await Api.ReadAsync(citizen, recent)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(kept.GetProperty("markdown").GetString(), Is.EqualTo(Api.Markdown), "content within its retention stays");

        var status = await Api.StatusAsync(service, old);
        Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("PROCESSED"));
        Assert.That(Api.ChannelStatus(status, "email"), Is.EqualTo("SENT"));
        Assert.That(status.GetProperty("content_sha256").GetString(), Is.EqualTo(oldStatus.GetProperty("content_sha256").GetString()));
        var events = (await Api.EventsAsync(service, old)).Select(Api.Type).ToList();
        Assert.That(events, Is.EqualTo(new[] { "accepted", "routed", "sent", "content_deleted" }));
        Assert.That((await Api.EventsAsync(service, recent)).Select(Api.Type), Does.Not.Contain("content_deleted"));
    }

    [Test]
    public async Task Should_run_as_a_background_job_deleting_only_what_is_older_than_the_configured_period()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("retention-job");
        var citizen = Citizens.NewFiscalCode();
        var id = await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("retention-job")));
        await Api.WaitForInboxAsync(citizen, 1);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var passes = new PassLog();
        var options = Options.Create(new RetentionOptions { ContentRetention = TimeSpan.FromDays(30), Interval = TimeSpan.FromHours(1) });
        var job = new ContentRetention(Platform.Hosts.GatewayServices.GetRequiredService<IServiceScopeFactory>(), options, clock, passes);

        await job.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.Holds(() => passes.Done == 1, TimeSpan.FromSeconds(30), "the first pass, at start");
            var fresh = await (await Api.ReadAsync(citizen, id)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.That(fresh.GetProperty("markdown").GetString(), Is.EqualTo(Api.Markdown), "younger than 30 days: kept");

            clock.Advance(TimeSpan.FromDays(31));
            await Eventually.Holds(() => passes.Done >= 2, TimeSpan.FromSeconds(30), "the next pass, an interval later");
        }
        finally
        {
            await job.StopAsync(CancellationToken.None);
        }

        var old = await (await Api.ReadAsync(citizen, id)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(old.GetProperty("markdown").ValueKind, Is.EqualTo(JsonValueKind.Null), "31 days later: deleted");
        Assert.That(passes.Lines, Has.Some.Contains("Content retention: deleted the content of"), "progress is logged");
        Assert.That(passes.Lines.Where(l => l.Contains(citizen)), Is.Empty);
    }

    /// <summary>The job's log lines, and how many passes it finished.</summary>
    private sealed class PassLog : ILogger<ContentRetention>
    {
        private int _done;

        public ConcurrentQueue<string> Lines { get; } = new();

        public int Done => Volatile.Read(ref _done);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = formatter(state, exception);
            Lines.Enqueue(line);
            if (line.StartsWith("Content retention pass done", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _done);
            }
        }
    }
}
