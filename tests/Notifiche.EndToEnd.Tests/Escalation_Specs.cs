using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Escalation when unread (issue 17, point 5) on the real stack: the first delivery goes to the free channels, each step
/// runs at its time only while the citizen has not read the notice in the inbox, takes its SMS from the monthly budget
/// then, and is decided once — also when the gateway was down at its time. Steps count from acceptance, so the specs use
/// durations of seconds (PT5S) and real time.
/// </summary>
public class Escalating_an_unread_notice
{
    private HttpClient _service = null!;

    [OneTimeSetUp]
    public async Task RegisterAsync() => _service = await Platform.Hosts.RegisterServiceAsync("tributi-escalation", "email", "sms", "push");

    internal static JsonObject Body(string fiscalCode, params (string After, string[] Channels)[] steps) => new()
    {
        ["fiscal_code"] = fiscalCode,
        ["content"] = new JsonObject
        {
            ["subject"] = "Avviso TARI 2026",
            ["markdown"] = "Gentile cittadino, è disponibile l'**avviso di pagamento TARI 2026**.\n\nConsultalo su [tributi](https://example.it/tari) entro fine mese.",
        },
        ["escalation"] = new JsonArray([.. steps.Select(s => new JsonObject
        {
            ["after"] = s.After, ["channels"] = new JsonArray([.. s.Channels.Select(c => JsonValue.Create(c))]),
        })]),
    };

    /// <summary>A citizen with a verified email, a phone and a device: every channel of the service can reach them.</summary>
    internal static async Task<(string FiscalCode, string Email, string Phone)> CitizenAsync()
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var email = $"escalated-{Guid.NewGuid():N}@example.it";
        var phone = $"+39346{Random.Shared.Next(0, 10_000_000):0000000}";
        var response = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", new
        {
            email, email_verified = true, phone, push_tokens = new[] { $"device-{fiscalCode}" },
            channels = new { email = true, sms = true, push = true },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (fiscalCode, email, phone);
    }

    internal static JsonElement[] StepsOf(JsonElement status) => [.. status.GetProperty("escalation").EnumerateArray()];

    internal static Task<JsonElement> OutcomeAsync(HttpClient service, Guid id, int step, string outcome, TimeSpan? timeout = null) =>
        Eventually.Until(() => NoticeApi.StatusAsync(service, id), s => StepsOf(s)[step - 1].GetProperty("outcome").GetString() == outcome,
            timeout ?? TimeSpan.FromSeconds(60), $"escalation step {step} {outcome}");

    private static string[] Planned(JsonElement status) =>
        [.. status.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channel").GetString()!)];

    /// <summary>Waits (real time: steps are due on the gateway's clock) until <paramref name="at"/> has passed.</summary>
    private static async Task PastAsync(DateTimeOffset at)
    {
        if (at - DateTimeOffset.UtcNow is { } wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    private static int SmsTo(string phone) => Platform.Hosts.Twilio.Accepted.Count(r => r.To == phone);

    [Test]
    public async Task Should_notify_the_free_channels_first_then_email_while_unread_and_skip_the_sms_once_read()
    {
        var (fiscalCode, email, phone) = await CitizenAsync();

        var id = await NoticeApi.SubmitAsync(_service, Body(fiscalCode, ("PT4S", ["email"]), ("PT30S", ["sms"])));

        var first = await NoticeApi.WaitForChannelAsync(_service, id, "push", "SENT");
        Assert.That(Planned(first), Is.EqualTo(new[] { "push" }), "the first delivery: the free channels only");
        Assert.That(first.GetProperty("omitted_channels").EnumerateArray().Select(o => $"{o.GetProperty("channel")} {o.GetProperty("reason")}"),
            Is.EquivalentTo(new[] { "email ESCALATION_STEP", "sms ESCALATION_STEP" }));
        var steps = StepsOf(first);
        Assert.That(steps.Select(s => s.GetProperty("after").GetString()), Is.EqualTo(new[] { "PT4S", "PT30S" }));
        Assert.That(steps[1].GetProperty("outcome").GetString(), Is.EqualTo("PENDING"));
        Assert.That(steps[1].GetProperty("channels").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "sms" }));

        // Unread at its time: the email step runs, on email only, as a notice of its own.
        var done = await OutcomeAsync(_service, id, 1, "DONE");
        var stepId = StepsOf(done)[0].GetProperty("id").GetGuid();
        var step = await NoticeApi.WaitForChannelAsync(_service, stepId, "email", "SENT");
        Assert.That(Planned(step), Is.EqualTo(new[] { "email" }));
        Assert.That(step.GetProperty("escalation_of").GetGuid(), Is.EqualTo(id));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(email).Select(m => m.Subject), Is.EqualTo(new[] { "Avviso TARI 2026" }));
        Assert.That(StepsOf(await NoticeApi.StatusAsync(_service, id))[1].GetProperty("outcome").GetString(), Is.EqualTo("PENDING"),
            "the citizen reads before the SMS step's time");

        (await Platform.Hosts.Inbox.PostAsync($"/api/v1/inbox/{fiscalCode}/notices/{id}/read", null)).EnsureSuccessStatusCode();

        var skipped = await OutcomeAsync(_service, id, 2, "SKIPPED_READ");
        var smsStep = await NoticeApi.StatusAsync(_service, StepsOf(skipped)[1].GetProperty("id").GetGuid());
        Assert.That(smsStep.GetProperty("status").GetString(), Is.EqualTo("SKIPPED"));
        Assert.That(smsStep.GetProperty("channels").GetArrayLength(), Is.Zero, "never routed");
        Assert.That(SmsTo(phone), Is.Zero, "read: no SMS spent");
        var events = (await _service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}/events")).ToString();
        Assert.That(events, Does.Contain("step 1 (PT4S: email) DONE").And.Contain("step 2 (PT30S: sms) SKIPPED_READ"));

        // The inbox keeps the one notice; the steps are not entries of it nor of the service's listing.
        var inbox = await Platform.Hosts.Inbox.GetFromJsonAsync<JsonElement>($"/api/v1/inbox/{fiscalCode}/notices");
        Assert.That(inbox.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()), Is.EqualTo(new[] { id }));
        var listing = (await _service.GetFromJsonAsync<JsonElement>("/api/v1/notices?page_size=100")).ToString();
        Assert.That(listing, Does.Contain(id.ToString()).And.Not.Contain(stepId.ToString()));
    }

    [Test]
    public async Task Should_take_each_steps_sms_from_the_monthly_budget_at_its_time_and_skip_a_step_the_budget_refuses()
    {
        var serviceId = $"escalation-sms-{Guid.NewGuid():N}"[..30];
        var service = await Platform.Hosts.RegisterServiceAsync(serviceId, "email", "sms", "push");
        // One segment: the first SMS step's (a short SMS), and nothing left for the second.
        await Platform.Hosts.OperatorAsync<Dictionary<string, object>>(HttpMethod.Patch, $"/api/v1/admin/services/{serviceId}",
            new { monthly_sms_budget = new { segments = 1 } });
        var (fiscalCode, _, phone) = await CitizenAsync();

        var id = await NoticeApi.SubmitAsync(service, Body(fiscalCode, ("PT3S", ["sms"]), ("PT8S", ["sms"])));

        var done = await OutcomeAsync(service, id, 1, "DONE");
        await NoticeApi.WaitForChannelAsync(service, StepsOf(done)[0].GetProperty("id").GetGuid(), "sms", "SENT");
        var refused = await OutcomeAsync(service, id, 2, "SKIPPED_SMS_BUDGET");
        var second = await NoticeApi.StatusAsync(service, StepsOf(refused)[1].GetProperty("id").GetGuid());
        Assert.That(second.GetProperty("status").GetString(), Is.EqualTo("SKIPPED"));
        Assert.That(second.GetProperty("omitted_channels").EnumerateArray().Select(o => $"{o.GetProperty("channel")} {o.GetProperty("reason")}"),
            Is.EqualTo(new[] { "sms SMS_BUDGET_EXHAUSTED" }));
        Assert.That(SmsTo(phone), Is.EqualTo(1), "the budget's one SMS, for the first step");
        Assert.That(Planned(await NoticeApi.StatusAsync(service, id)), Does.Not.Contain("sms"), "the notice itself sent no SMS");
        var events = (await service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}/events")).ToString();
        Assert.That(events, Does.Contain("step 2 (PT8S: sms) SKIPPED_SMS_BUDGET"));
    }

    [Test]
    public async Task Should_decide_a_step_whose_time_passed_while_the_gateway_was_down_once_on_the_read_state_after_the_restart()
    {
        var (unreadCode, unreadEmail, _) = await CitizenAsync();
        var (readCode, readEmail, _) = await CitizenAsync();
        var unread = await NoticeApi.SubmitAsync(_service, Body(unreadCode, ("PT12S", ["email"])));
        var read = await NoticeApi.SubmitAsync(_service, Body(readCode, ("PT12S", ["email"])));
        await NoticeApi.WaitForChannelAsync(_service, unread, "push", "SENT");
        await NoticeApi.WaitForChannelAsync(_service, read, "push", "SENT");
        (await Platform.Hosts.Inbox.PostAsync($"/api/v1/inbox/{readCode}/notices/{read}/read", null)).EnsureSuccessStatusCode();
        var runsAt = StepsOf(await NoticeApi.StatusAsync(_service, unread))[0].GetProperty("runs_at").GetDateTimeOffset();

        // The pending steps live only in the gateway's database: no process keeps them in memory.
        await Platform.Hosts.StopServiceAsync(ServiceHosts.Gateway);
        try
        {
            await PastAsync(runsAt.AddSeconds(3));

            Assert.That(Platform.Hosts.Smtp.MessagesTo(unreadEmail), Is.Empty, "no step while the gateway was down");
        }
        finally
        {
            await Platform.Hosts.StartServiceAsync(ServiceHosts.Gateway);
        }

        var done = await OutcomeAsync(_service, unread, 1, "DONE");
        var stepId = StepsOf(done)[0].GetProperty("id").GetGuid();
        await NoticeApi.WaitForChannelAsync(_service, stepId, "email", "SENT");
        await OutcomeAsync(_service, read, 1, "SKIPPED_READ");
        await Eventually.Until(() => Platform.Hosts.Database.CountAsync($"outbox WHERE notice_id = '{stepId}'"), n => n == 0,
            TimeSpan.FromSeconds(30), "the step's row decided and removed");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(unreadEmail), Has.Count.EqualTo(1), "the unread notice's email step, once");
        Assert.That(Platform.Hosts.Smtp.MessagesTo(readEmail), Is.Empty, "the read notice's step skipped: the restart's re-drive did not route it");
    }

    [Test]
    public async Task Should_cancel_the_pending_steps_on_resolve()
    {
        var (fiscalCode, email, _) = await CitizenAsync();
        var id = await NoticeApi.SubmitAsync(_service, Body(fiscalCode, ("PT10S", ["email"])));
        var routed = await NoticeApi.WaitForChannelAsync(_service, id, "push", "SENT");
        var runsAt = StepsOf(routed).Single().GetProperty("runs_at").GetDateTimeOffset();

        var response = await _service.PostAsync($"/api/v1/notices/{id}/resolve", null);

        var resolved = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), resolved.ToString());
        Assert.That(StepsOf(resolved).Single().GetProperty("outcome").GetString(), Is.EqualTo("CANCELLED"));
        await PastAsync(runsAt.AddSeconds(4));

        Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Is.Empty, "no step after resolve");
        Assert.That(StepsOf(await NoticeApi.StatusAsync(_service, id)).Single().GetProperty("status").GetString(), Is.EqualTo("CANCELLED"));
    }

    [TestCase("""[{"after": "48 hours", "channels": ["email"]}]""", null, "escalation[0].after", TestName = "a malformed duration")]
    [TestCase("""[{"after": "PT48H", "channels": ["telegram"]}]""", null, "escalation[0].channels", TestName = "a channel the service may not use")]
    [TestCase("""[{"after": "PT48H", "channels": ["fax"]}]""", null, "escalation[0].channels", TestName = "an unknown channel")]
    [TestCase("""[{"after": "P2D", "channels": ["email"]}, {"after": "PT24H", "channels": ["sms"]}]""", null, "escalation[1].after", TestName = "steps out of order")]
    [TestCase("""[{"after": "PT1H", "channels": ["email"]}, {"after": "PT2H", "channels": ["sms"]}, {"after": "PT3H", "channels": ["email"]}, {"after": "PT4H", "channels": ["sms"]}]""",
        null, "escalation", TestName = "four steps")]
    [TestCase("""[{"after": "PT2H", "channels": ["email"]}]""", 3600, "escalation[0].after", TestName = "a step after the time to live")]
    [TestCase("""[{"after": "PT0S", "channels": ["email"]}]""", null, "escalation[0].after", TestName = "a step at once")]
    public async Task Should_refuse_bad_escalation_with_a_400_naming_the_field_and_store_nothing(string escalation, int? ttl, string field)
    {
        var refused = await Platform.Hosts.RegisterServiceAsync($"escalation-refused-{Guid.NewGuid():N}"[..30], "email", "sms", "push");
        var body = Body(Citizens.NewFiscalCode());
        body["escalation"] = JsonNode.Parse(escalation);
        if (ttl is { } seconds)
        {
            body["time_to_live"] = seconds;
        }

        var response = await refused.PostAsJsonAsync("/api/v1/notices", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { field }), problem.ToString());
        var listing = await refused.GetFromJsonAsync<JsonElement>("/api/v1/notices");
        Assert.That(listing.GetProperty("items").GetArrayLength(), Is.Zero, "nothing stored");
    }

    [Test]
    public async Task Should_take_escalation_over_the_broker_with_the_same_rules()
    {
        await using var broker = await BrokerService.StartAsync("escalation", "email", "push");
        var notice = JsonSerializer.SerializeToNode(BrokerService.Notice(broker.Id, $"escalation-broker-{Guid.NewGuid():N}@example.it"))!;

        notice["escalation"] = JsonNode.Parse("""[{"after": "PT1H", "channels": ["sms"]}]""");
        await broker.PublishAsync(notice);
        var rejected = await broker.NextReplyAsync();
        Assert.That(rejected.GetProperty("reason").GetString(), Is.EqualTo("INVALID_NOTICE"), rejected.ToString());
        Assert.That(rejected.GetProperty("errors").TryGetProperty("escalation[0].channels", out _), Is.True, "no SMS permission: " + rejected);

        notice["submissionId"] = Guid.NewGuid().ToString();
        notice["escalation"] = JsonNode.Parse("""[{"after": "PT1H", "channels": ["email"]}]""");
        await broker.PublishAsync(notice);
        var accepted = await broker.NextReplyAsync();
        var id = accepted.GetProperty("noticeId").GetGuid();
        // A citizen without a profile can be told only at the default address: the email a step names still goes first.
        var routed = await NoticeApi.WaitForChannelAsync(broker.Http, id, "email", "SENT");
        Assert.That(routed.GetProperty("status").GetString(), Is.EqualTo("PROCESSED"));
        var step = StepsOf(routed).Single();
        Assert.That(step.GetProperty("after").GetString(), Is.EqualTo("PT1H"));
        Assert.That(step.GetProperty("outcome").GetString(), Is.EqualTo("PENDING"));
        (await broker.Http.PostAsync($"/api/v1/notices/{id}/resolve", null)).EnsureSuccessStatusCode();
    }
}
