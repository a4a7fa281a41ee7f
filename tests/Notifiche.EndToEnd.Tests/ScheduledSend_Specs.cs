using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Scheduled send (issue 17, point 2): a notice with <c>send_at</c> is accepted and visible at once as SCHEDULED, and
/// routed and delivered only from send_at on — exactly once, even when the gateway restarts in between.
/// </summary>
public class Scheduling_a_notice
{
    private HttpClient _service = null!;

    [OneTimeSetUp]
    public async Task RegisterAsync() => _service = await Platform.Hosts.RegisterServiceAsync("anagrafe-scheduled");

    private static object Scheduled(string email, DateTimeOffset sendAt) => new
    {
        fiscal_code = NoticeApi.FiscalCode,
        content = new
        {
            subject = "Promemoria: la tua carta d'identità scade",
            markdown = "Gentile cittadino, la tua **carta d'identità** scade il 26/12/2026.\n\nPrenota il rinnovo su [prenotazioni](https://example.it/prenota).",
        },
        default_addresses = new { email },
        time_to_live = 3_600,
        send_at = sendAt,
    };

    [Test]
    public async Task Should_show_it_scheduled_at_once_and_deliver_it_only_from_send_at()
    {
        var address = $"scheduled-{Guid.NewGuid():N}@example.it";
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(8);

        var id = await NoticeApi.SubmitAsync(_service, Scheduled(address, sendAt));

        var status = await NoticeApi.StatusAsync(_service, id);
        Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("SCHEDULED"));
        Assert.That(status.GetProperty("send_at").GetDateTimeOffset(), Is.EqualTo(sendAt).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That(status.GetProperty("expires_at").GetDateTimeOffset(), Is.EqualTo(sendAt.AddHours(1)).Within(TimeSpan.FromMilliseconds(1)),
            "the time to live counts from send_at");
        Assert.That(status.GetProperty("channels").GetArrayLength(), Is.Zero);

        // Until send_at: not routed, nothing sent.
        while (DateTimeOffset.UtcNow < sendAt.AddSeconds(-1))
        {
            Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Is.Empty, "nothing delivered before send_at");
            Assert.That((await NoticeApi.StatusAsync(_service, id)).GetProperty("status").GetString(), Is.EqualTo("SCHEDULED"));
            await Task.Delay(500);
        }

        var sent = await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT", TimeSpan.FromSeconds(60));
        Assert.That(sent.GetProperty("status").GetString(), Is.EqualTo("PROCESSED"));
        Assert.That(sent.GetProperty("processed_at").GetDateTimeOffset(), Is.GreaterThanOrEqualTo(sendAt), "routed from send_at on");
        Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Has.Count.EqualTo(1));
        var events = await _service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}/events");
        Assert.That(events.ToString(), Does.Contain("send_at"), "the audit trail's accepted event says when it was scheduled for");
    }

    [Test]
    public async Task Should_deliver_it_once_when_the_gateway_was_down_from_acceptance_until_after_send_at()
    {
        var address = $"scheduled-restart-{Guid.NewGuid():N}@example.it";
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(5);
        var id = await NoticeApi.SubmitAsync(_service, Scheduled(address, sendAt));

        // The scheduled work lives only in the gateway's database: no process keeps it in memory.
        await Platform.Hosts.StopServiceAsync(ServiceHosts.Gateway);
        try
        {
            var waitUntil = sendAt.AddSeconds(3) - DateTimeOffset.UtcNow;
            if (waitUntil > TimeSpan.Zero)
            {
                await Task.Delay(waitUntil);
            }

            Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Is.Empty, "nothing sent while the gateway was down");
        }
        finally
        {
            await Platform.Hosts.StartServiceAsync(ServiceHosts.Gateway);
        }

        await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT", TimeSpan.FromSeconds(60));
        // Published once: a second publish would route and send it again (and the outbox would keep no row for it).
        await Eventually.Until(() => Platform.Hosts.Database.CountAsync("outbox"), n => n == 0, TimeSpan.FromSeconds(30), "published rows removed");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Should_send_at_once_a_send_at_within_the_allowed_clock_skew()
    {
        var address = $"scheduled-skew-{Guid.NewGuid():N}@example.it";
        var id = await NoticeApi.SubmitAsync(_service, Scheduled(address, DateTimeOffset.UtcNow.AddSeconds(-30)));

        Assert.That((await NoticeApi.StatusAsync(_service, id)).GetProperty("status").GetString(), Is.Not.EqualTo("SCHEDULED"));
        await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT");
    }

    [Test]
    public async Task Should_take_send_at_over_the_broker_with_the_same_rules()
    {
        await using var broker = await BrokerService.StartAsync("scheduled");
        var notice = JsonSerializer.SerializeToNode(BrokerService.Notice(broker.Id, $"scheduled-broker-{Guid.NewGuid():N}@example.it"))!;

        notice["sendAt"] = DateTimeOffset.UtcNow.AddHours(-1);
        await broker.PublishAsync(notice);
        var rejected = await broker.NextReplyAsync();
        Assert.That(rejected.GetProperty("reason").GetString(), Is.EqualTo("INVALID_NOTICE"), rejected.ToString());
        Assert.That(rejected.GetProperty("errors").TryGetProperty("sendAt", out _), Is.True, rejected.ToString());

        notice["submissionId"] = Guid.NewGuid().ToString();
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(5);
        notice["sendAt"] = sendAt;
        await broker.PublishAsync(notice);
        var accepted = await broker.NextReplyAsync();
        var id = accepted.GetProperty("noticeId").GetGuid();
        var status = await NoticeApi.StatusAsync(broker.Http, id);
        Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("SCHEDULED"));
        Assert.That(status.GetProperty("send_at").GetDateTimeOffset(), Is.EqualTo(sendAt).Within(TimeSpan.FromMilliseconds(1)));
        var sent = await NoticeApi.WaitForChannelAsync(broker.Http, id, "email", "SENT", TimeSpan.FromSeconds(60));
        Assert.That(sent.GetProperty("processed_at").GetDateTimeOffset(), Is.GreaterThanOrEqualTo(sendAt));
    }
}
