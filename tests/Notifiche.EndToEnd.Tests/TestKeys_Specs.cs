using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Test keys (issue 18, point 3): a service's notices sent with a <c>test</c> key go through validation, storage, status,
/// audit and callbacks like live ones, but are never routed nor dispatched — nothing reaches the SMTP server or the SMS
/// provider, nothing the citizen's inbox — and end as the documented simulator address asks.
/// </summary>
public class Sending_with_a_test_key
{
    private const string ServiceId = "anagrafe-test-keys";
    private HttpClient _live = null!;
    private HttpClient _test = null!;

    [OneTimeSetUp]
    public async Task RegisterAsync()
    {
        _live = await Platform.Hosts.RegisterServiceAsync(ServiceId, "email", "sms");
        _test = await TestKeyClientAsync(ServiceId);
    }

    private static async Task<HttpClient> TestKeyClientAsync(string serviceId)
    {
        var issued = await Platform.Hosts.OperatorAsync<JsonElement>(HttpMethod.Post, $"/api/v1/admin/services/{serviceId}/keys", new { type = "test" });
        Assert.That(issued.GetProperty("type").GetString(), Is.EqualTo("test"));
        var client = new HttpClient { BaseAddress = Platform.Hosts.Gateway.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", issued.GetProperty("api_key").GetString());
        return client;
    }

    /// <summary>A citizen with a verified email and a mobile number: a live notice would reach both.</summary>
    private static async Task<(string FiscalCode, string Email, string Phone)> CitizenWithProfileAsync()
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var email = $"test-key-{Guid.NewGuid():N}@example.it";
        var phone = $"+39347{Random.Shared.Next(0, 10_000_000):0000000}";
        var response = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", new Dictionary<string, object?>
        {
            ["email"] = email, ["email_verified"] = true, ["phone"] = phone, ["channels"] = new { email = true, sms = true },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (fiscalCode, email, phone);
    }

    private static async Task<JsonElement> EventsAsync(HttpClient client, Guid id) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}/events");

    [Test]
    public async Task Should_store_and_show_the_notice_as_sent_and_test_without_delivering_it()
    {
        var (fiscalCode, email, phone) = await CitizenWithProfileAsync();
        var live = await NoticeApi.SubmitAsync(_live, NoticeApi.Body(fiscalCode: fiscalCode));
        var test = await NoticeApi.SubmitAsync(_test, NoticeApi.Body(fiscalCode: fiscalCode));

        var simulated = await NoticeApi.WaitForChannelAsync(_test, test, "email", "SENT");
        await NoticeApi.WaitForChannelAsync(_test, test, "sms", "SENT");
        Assert.That(simulated.GetProperty("status").GetString(), Is.EqualTo("PROCESSED"));
        Assert.That(simulated.GetProperty("test").GetBoolean(), Is.True, simulated.ToString());
        var events = (await EventsAsync(_live, test)).ToString();
        Assert.That(events, Does.Contain("test key: delivery simulated"), "the audit trail says the notice was a test");
        Assert.That(events, Does.Contain("\"routed\"").And.Contain("\"sent\""));

        // The live notice to the same citizen is delivered on both channels: the test one, sent after it, never is.
        var delivered = await NoticeApi.WaitForChannelAsync(_live, live, "email", "SENT");
        await NoticeApi.WaitForChannelAsync(_live, live, "sms", "SENT");
        Assert.That(delivered.GetProperty("test").GetBoolean(), Is.False);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Has.Count.EqualTo(1), "only the live notice reached the SMTP server");
        Assert.That(Platform.Hosts.Twilio.Requests.Count(r => r.To == phone), Is.EqualTo(1), "only the live notice reached the SMS provider");
        using var emailLedger = new DispatchProbe(ServiceHosts.EmailDispatch, Platform.Hosts.EmailDispatchDatabase);
        using var smsLedger = new DispatchProbe(ServiceHosts.SmsDispatch, Platform.Hosts.SmsDispatchDatabase);
        Assert.That(await emailLedger.RowsAsync(test), Is.Empty, "no dispatch command for the test notice");
        Assert.That(await smsLedger.RowsAsync(test), Is.Empty);
        Assert.That(await emailLedger.RowsAsync(live), Is.Not.Empty);

        // Nor does the citizen see it: their inbox holds the live notice only, and the test one is not found.
        var inbox = await Platform.Hosts.Inbox.GetFromJsonAsync<JsonElement>($"/api/v1/inbox/{fiscalCode}/notices");
        Assert.That(inbox.ToString(), Does.Contain(live.ToString()).And.Not.Contain(test.ToString()));
        Assert.That((await Platform.Hosts.Inbox.GetAsync($"/api/v1/inbox/{fiscalCode}/notices/{test}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("delivered@simulator.notifiche.invalid", "SENT", null)]
    [TestCase("temporary-failure@simulator.notifiche.invalid", "SENT", "simulated temporary failure")]
    [TestCase("permanent-failure@simulator.notifiche.invalid", "FAILED", "simulated permanent failure")]
    [TestCase("timeout@simulator.notifiche.invalid", "FAILED", "retries exhausted: simulated provider timeout")]
    public async Task Should_end_as_the_simulator_address_asks(string address, string outcome, string? trail)
    {
        var id = await NoticeApi.SubmitAsync(_test, NoticeApi.Body(email: address, fiscalCode: Citizens.NewFiscalCode()));

        var status = await NoticeApi.WaitForChannelAsync(_test, id, "email", outcome);
        Assert.That(NoticeApi.ChannelStatus(status, "sms"), Is.EqualTo(outcome), "every channel of the service is simulated alike");
        var events = await EventsAsync(_test, id);
        if (trail is not null)
        {
            Assert.That(events.ToString(), Does.Contain(trail));
        }

        var attempts = events.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("type").GetString() == "dispatch_attempt_failed");
        Assert.That(attempts, Is.EqualTo(outcome == "SENT" && trail is null || outcome == "FAILED" && trail!.StartsWith("simulated") ? 0 : 2),
            "a failed attempt per channel before the end, for the temporary failure and the timeout");
        Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Is.Empty);
    }

    [Test]
    public async Task Should_announce_its_statuses_to_the_status_callback()
    {
        const string service = "anagrafe-test-key-callbacks";
        await Platform.Hosts.RegisterServiceAsync(service);
        var test = await TestKeyClientAsync(service);
        await using var receiver = await CallbackReceiver.StartAsync();
        var registered = await test.PutAsJsonAsync("/api/v1/callback", new { url = receiver.Url, secret = new string('s', 40) });
        Assert.That(registered.IsSuccessStatusCode, Is.True, await registered.Content.ReadAsStringAsync());

        var id = await NoticeApi.SubmitAsync(test, NoticeApi.Body(fiscalCode: Citizens.NewFiscalCode()));

        await Eventually.Until(() => Task.FromResult(receiver.Received.Select(r => JsonDocument.Parse(r.Body).RootElement)
                .Count(b => b.GetProperty("notice_id").GetGuid() == id)), n => n >= 3, TimeSpan.FromSeconds(30),
            "ACCEPTED, PROCESSED and email SENT announced");
    }

    [Test]
    public async Task Should_take_a_sandbox_service_to_any_recipient_and_count_for_no_quota()
    {
        const string service = "anagrafe-test-key-sandbox";
        // Registered and left in sandbox, with a quota of one notice a day.
        await Platform.Hosts.OperatorAsync<JsonElement>(HttpMethod.Post, "/api/v1/admin/services", new
        {
            id = service, name = "Anagrafe", organization_name = "Comune di Prova", organization_fiscal_code = "01199250158",
            contact_email = "servizio@comune.example.it", allowed_channels = new[] { "email" }, daily_notice_quota = 1,
        });
        var test = await TestKeyClientAsync(service);

        // No sandbox recipient, a default address, three notices: all accepted and simulated.
        for (var i = 0; i < 3; i++)
        {
            var id = await NoticeApi.SubmitAsync(test, NoticeApi.Body(email: "delivered@simulator.notifiche.invalid", fiscalCode: Citizens.NewFiscalCode()));
            await NoticeApi.WaitForChannelAsync(test, id, "email", "SENT");
        }

        var census = await Platform.Hosts.OperatorAsync<JsonElement>(HttpMethod.Get, $"/api/v1/admin/census?service_id={service}");
        Assert.That(census.GetRawText(), Does.Contain("\"notices_accepted\":0"), "test notices are not in the census");
    }

    [Test]
    public async Task Should_refuse_a_suspended_service_as_with_a_live_key()
    {
        const string service = "anagrafe-test-key-suspended";
        await Platform.Hosts.RegisterServiceAsync(service);
        var test = await TestKeyClientAsync(service);
        await Platform.Hosts.OperatorAsync<JsonElement>(HttpMethod.Post, $"/api/v1/admin/services/{service}/suspend");

        var response = await test.PostAsJsonAsync("/api/v1/notices", NoticeApi.Body(fiscalCode: Citizens.NewFiscalCode()));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Should_answer_400_naming_the_type_for_an_unknown_key_type()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/services/{ServiceId}/keys") { Content = JsonContent.Create(new { type = "team" }) };
        request.Headers.Add("X-Operator-Key", PlatformHosts.OperatorKey);

        using var response = await Platform.Hosts.Management.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").TryGetProperty("type", out _), Is.True, problem.ToString());
    }

    [Test]
    public async Task Should_list_the_key_types_and_keep_two_active_keys_of_each_type()
    {
        const string service = "anagrafe-test-key-rotation";
        await Platform.Hosts.RegisterServiceAsync(service);
        await TestKeyClientAsync(service);
        await TestKeyClientAsync(service);
        // Two test keys do not take the live key's rotation slot.
        var live = await Platform.Hosts.OperatorAsync<JsonElement>(HttpMethod.Post, $"/api/v1/admin/services/{service}/keys", new { });
        Assert.That(live.GetProperty("type").GetString(), Is.EqualTo("live"));

        using var third = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/services/{service}/keys") { Content = JsonContent.Create(new { type = "test" }) };
        third.Headers.Add("X-Operator-Key", PlatformHosts.OperatorKey);
        Assert.That((await Platform.Hosts.Management.SendAsync(third)).StatusCode, Is.EqualTo(HttpStatusCode.Conflict));

        var keys = await Platform.Hosts.OperatorAsync<JsonElement>(HttpMethod.Get, $"/api/v1/admin/services/{service}/keys");
        Assert.That(keys.EnumerateArray().Select(k => k.GetProperty("type").GetString()), Is.EquivalentTo(new[] { "live", "live", "test", "test" }));
    }
}
