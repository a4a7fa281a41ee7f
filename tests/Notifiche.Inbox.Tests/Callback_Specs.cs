using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

public class Receiving_status_callbacks
{
    private const string Secret = "a-secret-of-the-service-at-least-32-characters";

    private static async Task RegisterAsync(HttpClient service, Uri url)
    {
        var response = await service.PutAsJsonAsync("/api/v1/callback", new { url = url.ToString(), secret = Secret });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private static List<JsonElement> For(CallbackReceiver receiver, Guid id) =>
        [.. receiver.Received.Select(r => JsonDocument.Parse(r.Body).RootElement).Where(b => b.GetProperty("notice_id").GetGuid() == id)];

    [Test]
    public async Task Should_refuse_to_register_a_callback_at_an_address_inside_the_network()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("callback-private");
        foreach (var url in new[] { "https://169.254.169.254/latest/meta-data/", "https://10.0.0.8/hook", "https://192.168.1.10/hook",
                     "https://100.64.0.1/hook", "https://[fd00::1]/hook" })
        {
            var response = await service.PutAsJsonAsync("/api/v1/callback", new { url, secret = Secret });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), url);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.That(problem.GetProperty("errors").GetProperty("url")[0].GetString(), Does.Contain("public address"), url);
        }

        Assert.That((await service.GetAsync("/api/v1/callback")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing was stored");
    }

    [Test]
    public async Task Should_post_each_status_change_signed_with_the_services_secret()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        var service = await Platform.Hosts.RegisterServiceAsync("callback-signed");
        await RegisterAsync(service, receiver.Url);
        var shown = await service.GetFromJsonAsync<JsonElement>("/api/v1/callback");
        Assert.That(shown.GetProperty("url").GetString(), Is.EqualTo(receiver.Url.ToString()));
        Assert.That(shown.TryGetProperty("secret", out _), Is.False, "the secret is never shown again");

        var id = await Api.SubmitAsync(service, Api.Notice(Citizens.NewFiscalCode(), Api.NewEmail("callback")));
        await Eventually.Holds(() => For(receiver, id).Any(b => b.GetProperty("status").GetString() == "SENT"), TimeSpan.FromSeconds(60), "SENT callback");

        var statuses = For(receiver, id).Select(b => $"{b.GetProperty("channel").GetString()} {b.GetProperty("status").GetString()}".Trim()).ToList();
        Assert.That(statuses, Is.SupersetOf(new[] { "ACCEPTED", "PROCESSED", "email SENT" }));
        foreach (var callback in receiver.Received)
        {
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), callback.Body));
            Assert.That(callback.Signature, Is.EqualTo(expected));
            Assert.That(long.Parse(callback.Timestamp!), Is.EqualTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).Within(300));
            var body = JsonDocument.Parse(callback.Body).RootElement;
            Assert.That(body.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "notice_id", "channel", "status", "time", "reference", "protocol", "test" }));
        }

        var events = await Eventually.Until(() => Api.EventsAsync(service, id),
            e => e.Count(v => Api.Type(v) == "callback_delivered") >= 3, TimeSpan.FromSeconds(30), "callbacks in the audit trail");
        Assert.That(events.Where(e => Api.Type(e) == "callback_delivered").Select(e => e.GetProperty("detail").GetString()),
            Has.Some.StartsWith("email SENT: HTTP 204"));
    }

    [Test]
    public async Task Should_deliver_later_when_the_receiver_is_back_while_the_notice_is_delivered_meanwhile()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        var service = await Platform.Hosts.RegisterServiceAsync("callback-down");
        await RegisterAsync(service, receiver.Url);
        await receiver.DownAsync();

        var email = Api.NewEmail("callback-down");
        var id = await Api.SubmitAsync(service, Api.Notice(Citizens.NewFiscalCode(), email));
        await Api.WaitForStatusAsync(service, id, s => Api.ChannelStatus(s, "email") == "SENT", "email SENT while the receiver is down");
        Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Has.Count.EqualTo(1), "the notice reached the citizen");
        Assert.That(For(receiver, id), Is.Empty);

        // Back, but its back end still answering 503 until the SENT callback has been tried at least once: whether the
        // gateway first tried it while the receiver was down depends on timing (the callback leaves through the outbox
        // after the status commits), and "delivered after failed attempts" must not.
        receiver.AnswerStatus = StatusCodes.Status503ServiceUnavailable;
        await receiver.UpAsync();
        await Eventually.Holds(() => For(receiver, id).Any(b => b.GetProperty("status").GetString() == "SENT"), TimeSpan.FromSeconds(60),
            "SENT callback tried once the receiver is back");
        receiver.AnswerStatus = StatusCodes.Status204NoContent;
        var events = await Eventually.Until(() => Api.EventsAsync(service, id),
            e => e.Any(v => Api.Type(v) == "callback_delivered" && Api.Channel(v) == "email"), TimeSpan.FromSeconds(30), "delivered in the audit trail");
        var delivered = events.First(v => Api.Type(v) == "callback_delivered" && Api.Channel(v) == "email");
        Assert.That(delivered.GetProperty("detail").GetString(), Does.Match(@"^email SENT: HTTP 204 \(attempt ([2-9]|\d\d+)\)$"), "after failed attempts");
    }

    [Test]
    public async Task Should_record_a_callback_the_receiver_refuses_as_failed_without_retrying_it()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        receiver.AnswerStatus = StatusCodes.Status410Gone;
        var service = await Platform.Hosts.RegisterServiceAsync("callback-refused");
        await RegisterAsync(service, receiver.Url);

        var id = await Api.SubmitAsync(service, Api.Notice(Citizens.NewFiscalCode(), Api.NewEmail("callback-refused")));
        await Api.WaitForStatusAsync(service, id, s => Api.ChannelStatus(s, "email") == "SENT", "email SENT");
        var events = await Eventually.Until(() => Api.EventsAsync(service, id),
            e => e.Any(v => Api.Type(v) == "callback_failed" && Api.Channel(v) == "email"), TimeSpan.FromSeconds(30), "failed callback in the audit trail");

        Assert.That(events.First(v => Api.Type(v) == "callback_failed" && Api.Channel(v) == "email").GetProperty("detail").GetString(),
            Is.EqualTo("email SENT: callback refused with HTTP 410 (attempt 1, given up)"));
        Assert.That(For(receiver, id).Count(b => b.GetProperty("status").GetString() == "SENT"), Is.EqualTo(1), "a refusal is final");
        // Counted just after the audit event is committed, for the alert NotificheCallbackFailures.
        await Eventually.Until(() => Platform.Hosts.Management.GetStringAsync("/metrics"),
            m => m.Split('\n').Any(l => l.StartsWith("notifiche_callbacks_failed_total{", StringComparison.Ordinal)
                && l.Contains("service_id=\"callback-refused\"", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "notifiche_callbacks_failed_total");
    }

    [Test]
    public async Task Should_refuse_a_callback_url_that_is_not_a_url_and_a_short_secret()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("callback-invalid");
        var response = await service.PutAsJsonAsync("/api/v1/callback", new { url = "ftp://example.it/x", secret = "short" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.That(errors.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "url", "secret" }));
        Assert.That((await service.GetAsync("/api/v1/callback")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
