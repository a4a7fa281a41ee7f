using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Gateway.Data;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

public class Delivering_while_the_smtp_server_fails
{
    private HttpClient _service = null!;

    [OneTimeSetUp]
    public async Task RegisterAsync() => _service = await Platform.Hosts.RegisterServiceAsync("anagrafe-smtp-faults");

    [TearDown]
    public async Task RestartSmtpAsync()
    {
        // Every spec leaves the shared SMTP server running.
        await Platform.Hosts.Smtp.StopAsync();
        await Platform.Hosts.Smtp.StartAsync();
    }

    [Test]
    public async Task Should_retry_a_transient_outage_and_deliver_once_when_the_server_is_back()
    {
        var smtp = Platform.Hosts.Smtp;
        var address = $"outage-{Guid.NewGuid():N}@example.it";
        await smtp.StopAsync();
        var attemptsBefore = await Counting_notices_in_the_metrics.MetricAsync("notifiche_dispatch_attempts_failed_total", "channel=\"email\"");

        var id = await NoticeApi.SubmitAsync(_service, NoticeApi.Body(address));
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // a few attempts fail against the closed port
        Assert.That(NoticeApi.ChannelStatus(await NoticeApi.StatusAsync(_service, id), "email"), Is.Null.Or.EqualTo("PENDING").Or.EqualTo("THROTTLED"));

        await smtp.StartAsync();
        await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT");

        Assert.That(smtp.MessagesTo(address), Has.Count.EqualTo(1));
        // Every failed attempt in the audit trail (the channel THROTTLED) is counted for the dashboard (issue 19).
        var events = await _service.GetStringAsync($"/api/v1/notices/{id}/events");
        var failedAttempts = System.Text.RegularExpressions.Regex.Count(events, "\"dispatch_attempt_failed\"");
        Assert.That(failedAttempts, Is.GreaterThan(0), "attempts failed against the closed port");
        Assert.That(await Counting_notices_in_the_metrics.MetricAsync("notifiche_dispatch_attempts_failed_total", "channel=\"email\""),
            Is.GreaterThanOrEqualTo(attemptsBefore + failedAttempts));
    }

    [Test]
    public async Task Should_keep_the_default_address_while_its_email_is_pending_and_erase_it_once_the_channel_is_final()
    {
        var smtp = Platform.Hosts.Smtp;
        var pending = $"pending-{Guid.NewGuid():N}@example.it";
        var rejected = $"reject-{Guid.NewGuid():N}@example.it";
        await smtp.StopAsync();

        var id = await NoticeApi.SubmitAsync(_service, NoticeApi.Body(pending));
        await Eventually.Until(() => NoticeApi.StatusAsync(_service, id), s => NoticeApi.ChannelStatus(s, "email") is not null, what: "routing");
        Assert.That(NoticeApi.ChannelStatus(await NoticeApi.StatusAsync(_service, id), "email"), Is.EqualTo("PENDING").Or.EqualTo("THROTTLED"));
        Assert.That(await StoredDefaultEmailAsync(id), Is.EqualTo(pending),
            "a PROCESSED notice whose channel is not final keeps its address: the re-drive after a crash routes it again from its row");

        await smtp.StartAsync();
        await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT");
        Assert.That(await StoredDefaultEmailAsync(id), Is.Null, "erased with the last channel's final status");
        Assert.That(smtp.MessagesTo(pending), Has.Count.EqualTo(1));

        var failed = await NoticeApi.SubmitAsync(_service, NoticeApi.Body(rejected));
        await NoticeApi.WaitForChannelAsync(_service, failed, "email", "FAILED");
        Assert.That(await StoredDefaultEmailAsync(failed), Is.Null, "a failed channel is final too");
    }

    private static async Task<string?> StoredDefaultEmailAsync(Guid id)
    {
        await using var scope = Platform.Hosts.GatewayServices.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Notices.AsNoTracking()
            .Where(n => n.Id == id).Select(n => n.DefaultEmail).SingleAsync();
    }

    [Test]
    public async Task Should_fail_permanently_on_550_with_the_reason_and_without_retrying()
    {
        var address = $"reject-{Guid.NewGuid():N}@example.it";
        var id = await NoticeApi.SubmitAsync(_service, NoticeApi.Body(address));

        var status = await NoticeApi.WaitForChannelAsync(_service, id, "email", "FAILED");

        var channel = status.GetProperty("channels")[0];
        Assert.That(channel.GetProperty("reason").GetString(), Does.Contain("550"));
        Assert.That(channel.GetProperty("reason").GetString(), Does.Not.Contain(address));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Is.Empty);
        var dead = await Platform.Hosts.Vhost.PeekAsync("send-email_error", 100);
        Assert.That(dead.EnumerateArray().Where(m => m.GetProperty("payload").GetString()!.Contains(id.ToString())), Is.Empty,
            "a permanent failure is final, not a dead letter");
    }

    [Test]
    public async Task Should_dead_letter_the_command_with_its_reason_when_retries_are_exhausted()
    {
        var smtp = Platform.Hosts.Smtp;
        var address = $"exhausted-{Guid.NewGuid():N}@example.it";
        await smtp.StopAsync();

        var id = await NoticeApi.SubmitAsync(_service, NoticeApi.Body(address));
        var status = await NoticeApi.WaitForChannelAsync(_service, id, "email", "FAILED", TimeSpan.FromSeconds(60));

        Assert.That(status.GetProperty("channels")[0].GetProperty("reason").GetString(), Does.StartWith("retries exhausted: SMTP connection"));
        var ours = await Eventually.Until(async () => (await Platform.Hosts.Vhost.PeekAsync("send-email_error", 100)).EnumerateArray()
            .Where(m => m.GetProperty("payload").GetString()!.Contains(id.ToString())).ToList(), m => m.Count > 0, what: "dead letter");
        Assert.That(ours, Has.Count.EqualTo(1), ours.FirstOrDefault().ToString());
        var headers = ours[0].GetProperty("properties").GetProperty("headers");
        Assert.That(headers.GetProperty("MT-Fault-ExceptionType").GetString(), Does.Contain("TransientFailureException"));
        Assert.That(headers.GetProperty("MT-Fault-Message").GetString(), Does.StartWith("SMTP connection"));
        var arguments = (await Platform.Hosts.Vhost.QueueAsync("send-email_error")).GetProperty("arguments");
        Assert.That(arguments.TryGetProperty("x-delivery-limit", out _), Is.False, "SREs may inspect dead letters as often as they need");
    }
}
