using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Due-date reminders (issue 17, point 4) on the real stack: each reminder is notified on the citizen's channels with its
/// own id, status and audit trail, once — also when the gateway is down at its time —, the inbox keeps the one notice,
/// and <c>resolve</c> cancels the reminders still pending (and the notice itself while it is scheduled).
/// A reminder counts back from 09:00 Europe/Rome on the due date; the specs put one a few seconds ahead with a duration
/// in seconds (e.g. PT41000S) before tomorrow's due date.
/// </summary>
public class Reminding_a_citizen_of_a_due_date
{
    private static readonly TimeZoneInfo Rome = TimeZoneInfo.FindSystemTimeZoneById("Europe/Rome");
    private HttpClient _service = null!;

    // Notices whose reminders are hours ahead: resolved after each spec, so no scheduled row outlives it (other specs wait
    // for an empty outbox).
    private readonly List<(HttpClient Service, Guid Id)> _toResolve = [];

    [OneTimeSetUp]
    public async Task RegisterAsync() => _service = await Platform.Hosts.RegisterServiceAsync("tributi-reminders");

    [TearDown]
    public async Task ResolveLeftoversAsync()
    {
        foreach (var (service, id) in _toResolve)
        {
            (await service.PostAsync($"/api/v1/notices/{id}/resolve", null)).EnsureSuccessStatusCode();
        }

        _toResolve.Clear();
    }

    /// <summary>A due date tomorrow (in Rome) and the duration before it that falls <paramref name="fromNow"/> from now.</summary>
    internal static (DateOnly Due, string Before, DateTimeOffset At) ReminderIn(TimeSpan fromNow)
    {
        var now = DateTimeOffset.UtcNow;
        var due = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Rome).DateTime).AddDays(1);
        var nine = due.ToDateTime(new TimeOnly(9, 0));
        var anchor = new DateTimeOffset(nine, Rome.GetUtcOffset(nine));
        var seconds = (long)Math.Floor((anchor - (now + fromNow)).TotalSeconds);
        return (due, $"PT{seconds}S", anchor.AddSeconds(-seconds));
    }

    internal static JsonObject Body(string fiscalCode, string email, DateOnly? due, params string[] reminders) => new()
    {
        ["fiscal_code"] = fiscalCode,
        ["content"] = new JsonObject
        {
            ["subject"] = "Bollo auto in scadenza domani",
            ["markdown"] = "Gentile cittadino, il **bollo auto** della tua vettura scade domani.\n\nPaga su [pagoPA](https://example.it/paga) per evitare la sanzione.",
            ["due_date"] = due?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        },
        ["default_addresses"] = new JsonObject { ["email"] = email },
        ["reminders"] = new JsonArray([.. reminders.Select(r => JsonValue.Create(r))]),
    };

    private static JsonElement[] RemindersOf(JsonElement status) => [.. status.GetProperty("reminders").EnumerateArray()];

    [Test]
    public async Task Should_notify_each_reminder_once_with_its_own_status_and_audit_trail_and_keep_one_notice_in_the_inbox()
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var email = $"reminded-{Guid.NewGuid():N}@example.it";
        var (due, before, at) = ReminderIn(TimeSpan.FromSeconds(6));
        var (_, later, laterAt) = ReminderIn(TimeSpan.FromHours(2));

        var id = await NoticeApi.SubmitAsync(_service, Body(fiscalCode, email, due, later, before));
        _toResolve.Add((_service, id));

        await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT");
        var status = await NoticeApi.StatusAsync(_service, id);
        var reminders = RemindersOf(status);
        Assert.That(reminders.Select(r => r.GetProperty("before").GetString()), Is.EqualTo(new[] { before, later }), "in delivery order");
        Assert.That(reminders[0].GetProperty("send_at").GetDateTimeOffset(), Is.EqualTo(at));
        Assert.That(reminders[1].GetProperty("send_at").GetDateTimeOffset(), Is.EqualTo(laterAt));
        Assert.That(reminders.Select(r => r.GetProperty("status").GetString()), Is.All.EqualTo("SCHEDULED"));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Has.Count.EqualTo(1), "the notice itself, not yet its reminder");

        var reminderId = reminders[0].GetProperty("id").GetGuid();
        var reminder = await NoticeApi.WaitForChannelAsync(_service, reminderId, "email", "SENT", TimeSpan.FromSeconds(60));
        Assert.That(reminder.GetProperty("reminder_of").GetGuid(), Is.EqualTo(id));
        Assert.That(reminder.GetProperty("processed_at").GetDateTimeOffset(), Is.GreaterThanOrEqualTo(at), "not before its time");
        var events = await _service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{reminderId}/events");
        Assert.That(events.ToString(), Does.Contain($"reminder {before}").And.Contain("routed").And.Contain("sent"));

        await Task.Delay(TimeSpan.FromSeconds(2));
        var mails = Platform.Hosts.Smtp.MessagesTo(email);
        Assert.That(mails, Has.Count.EqualTo(2), "the notice, then its reminder once");
        Assert.That(mails.Select(m => m.Subject), Has.One.EqualTo("Promemoria: Bollo auto in scadenza domani"));

        // The citizen's inbox holds the one notice; the reminder is not a second entry, nor a notice of the service's listing.
        var inbox = await Platform.Hosts.Inbox.GetFromJsonAsync<JsonElement>($"/api/v1/inbox/{fiscalCode}/notices");
        Assert.That(inbox.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()), Is.EqualTo(new[] { id }));
        Assert.That((await Platform.Hosts.Inbox.GetAsync($"/api/v1/inbox/{fiscalCode}/notices/{reminderId}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var listing = await _service.GetFromJsonAsync<JsonElement>("/api/v1/notices?page_size=100");
        Assert.That(listing.ToString(), Does.Contain(id.ToString()).And.Not.Contain(reminderId.ToString()));
    }

    [Test]
    public async Task Should_notify_a_reminder_once_when_the_gateway_was_down_from_acceptance_until_after_its_time()
    {
        var email = $"reminded-restart-{Guid.NewGuid():N}@example.it";
        var (due, before, at) = ReminderIn(TimeSpan.FromSeconds(8));
        var id = await NoticeApi.SubmitAsync(_service, Body(Citizens.NewFiscalCode(), email, due, before));
        await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT");
        var reminderId = RemindersOf(await NoticeApi.StatusAsync(_service, id))[0].GetProperty("id").GetGuid();

        // The reminder lives only in the gateway's database: no process keeps it in memory.
        await Platform.Hosts.StopServiceAsync(ServiceHosts.Gateway);
        try
        {
            var waitUntil = at.AddSeconds(3) - DateTimeOffset.UtcNow;
            if (waitUntil > TimeSpan.Zero)
            {
                await Task.Delay(waitUntil);
            }

            Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Has.Count.EqualTo(1), "no reminder while the gateway was down");
        }
        finally
        {
            await Platform.Hosts.StartServiceAsync(ServiceHosts.Gateway);
        }

        await NoticeApi.WaitForChannelAsync(_service, reminderId, "email", "SENT", TimeSpan.FromSeconds(60));
        // Published once: the reminder's scheduled row is gone (a second publish would route and send it again).
        await Eventually.Until(() => Platform.Hosts.Database.CountAsync($"outbox WHERE notice_id = '{reminderId}'"), n => n == 0,
            TimeSpan.FromSeconds(30), "the reminder's row published and removed");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Has.Count.EqualTo(2), "the notice and its reminder, each once");
    }

    [Test]
    public async Task Should_cancel_the_pending_reminders_on_resolve_and_answer_a_second_resolve_alike()
    {
        var email = $"resolved-{Guid.NewGuid():N}@example.it";
        var (due, soon, soonAt) = ReminderIn(TimeSpan.FromSeconds(6));
        var (_, later, _) = ReminderIn(TimeSpan.FromHours(3));
        var id = await NoticeApi.SubmitAsync(_service, Body(Citizens.NewFiscalCode(), email, due, soon, later));
        await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT");

        var response = await _service.PostAsync($"/api/v1/notices/{id}/resolve", null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var resolved = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(resolved.GetProperty("status").GetString(), Is.EqualTo("PROCESSED"), "the notice was delivered: it stays so");
        var resolvedAt = resolved.GetProperty("resolved_at").GetDateTimeOffset();
        Assert.That(RemindersOf(resolved).Select(r => r.GetProperty("status").GetString()), Is.All.EqualTo("CANCELLED"));

        var waitUntil = soonAt.AddSeconds(4) - DateTimeOffset.UtcNow;
        if (waitUntil > TimeSpan.Zero)
        {
            await Task.Delay(waitUntil);
        }

        Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Has.Count.EqualTo(1), "no reminder after resolve");
        var reminder = await NoticeApi.StatusAsync(_service, RemindersOf(resolved)[0].GetProperty("id").GetGuid());
        Assert.That(reminder.GetProperty("status").GetString(), Is.EqualTo("CANCELLED"));
        Assert.That(reminder.GetProperty("channels").GetArrayLength(), Is.Zero, "never routed");
        var events = await _service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}/events");
        Assert.That(events.ToString(), Does.Contain("resolved").And.Contain($"reminder {soon}").And.Contain($"reminder {later}"));

        var again = await _service.PostAsync($"/api/v1/notices/{id}/resolve", null);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "idempotent");
        var second = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(second.GetProperty("resolved_at").GetDateTimeOffset(), Is.EqualTo(resolvedAt), "the first resolve's time");
        Assert.That(RemindersOf(second).Select(r => r.GetProperty("status").GetString()), Is.All.EqualTo("CANCELLED"));
    }

    [Test]
    public async Task Should_cancel_a_scheduled_notice_on_resolve_so_that_it_is_never_delivered_nor_in_the_inbox()
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var email = $"resolved-scheduled-{Guid.NewGuid():N}@example.it";
        var (due, before, _) = ReminderIn(TimeSpan.FromHours(1));
        var body = Body(fiscalCode, email, due, before);
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(5);
        body["send_at"] = sendAt;
        var id = await NoticeApi.SubmitAsync(_service, body);

        var response = await _service.PostAsync($"/api/v1/notices/{id}/resolve", null);

        var resolved = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), resolved.ToString());
        Assert.That(resolved.GetProperty("status").GetString(), Is.EqualTo("CANCELLED"));
        Assert.That(RemindersOf(resolved).Single().GetProperty("status").GetString(), Is.EqualTo("CANCELLED"));
        var waitUntil = sendAt.AddSeconds(4) - DateTimeOffset.UtcNow;
        if (waitUntil > TimeSpan.Zero)
        {
            await Task.Delay(waitUntil);
        }

        Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Is.Empty, "never delivered");
        Assert.That((await NoticeApi.StatusAsync(_service, id)).GetProperty("status").GetString(), Is.EqualTo("CANCELLED"));
        var inbox = await Platform.Hosts.Inbox.GetFromJsonAsync<JsonElement>($"/api/v1/inbox/{fiscalCode}/notices");
        Assert.That(inbox.GetProperty("items").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Should_cancel_the_reminders_of_a_notice_routing_rejected()
    {
        // Unknown to the platform and no default address: REJECTED / USER_NOT_FOUND, never in an inbox — so no reminder
        // may reach the citizen later (say, once they registered) about a notice they cannot read.
        var (due, before, _) = ReminderIn(TimeSpan.FromHours(1));
        var body = Body(Citizens.NewFiscalCode(), "unused@example.it", due, before);
        body.Remove("default_addresses");
        var id = await NoticeApi.SubmitAsync(_service, body);

        var status = await Eventually.Until(() => NoticeApi.StatusAsync(_service, id), s => s.GetProperty("status").GetString() == "REJECTED",
            TimeSpan.FromSeconds(30), "the notice rejected");

        Assert.That(status.GetProperty("rejection_reason").GetString(), Is.EqualTo("USER_NOT_FOUND"));
        var reminder = RemindersOf(status).Single();
        Assert.That(reminder.GetProperty("status").GetString(), Is.EqualTo("CANCELLED"));
        Assert.That(await Platform.Hosts.Database.CountAsync($"outbox WHERE notice_id = '{reminder.GetProperty("id").GetGuid()}'"), Is.Zero);
    }

    [Test]
    public async Task Should_answer_404_to_a_resolve_of_another_services_notice_and_cancel_nothing()
    {
        var other = await Platform.Hosts.RegisterServiceAsync($"altro-ente-{Guid.NewGuid():N}"[..30]);
        var (due, before, _) = ReminderIn(TimeSpan.FromHours(1));
        var id = await NoticeApi.SubmitAsync(_service, Body(Citizens.NewFiscalCode(), $"other-{Guid.NewGuid():N}@example.it", due, before));
        _toResolve.Add((_service, id));

        var response = await other.PostAsync($"/api/v1/notices/{id}/resolve", null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var status = await NoticeApi.StatusAsync(_service, id);
        Assert.That(status.TryGetProperty("resolved_at", out _), Is.False);
        Assert.That(RemindersOf(status).Single().GetProperty("status").GetString(), Is.EqualTo("SCHEDULED"));
    }

    [TestCase(null, new[] { "P1D" }, "reminders", TestName = "reminders without a due date")]
    [TestCase(1, new[] { "1 day" }, "reminders[0]", TestName = "a malformed duration")]
    [TestCase(1, new[] { "P-1D" }, "reminders[0]", TestName = "a reminder after the due date")]
    [TestCase(1, new[] { "P30D" }, "reminders[0]", TestName = "a reminder in the past")]
    [TestCase(1, new[] { "PT1H", "PT60M" }, "reminders[1]", TestName = "two reminders at the same time")]
    [TestCase(30, new[] { "P1D", "P2D", "P3D", "P4D", "P5D", "P6D" }, "reminders", TestName = "six reminders")]
    public async Task Should_refuse_bad_reminders_with_a_400_naming_the_field_and_store_nothing(int? dueInDays, string[] reminders, string field)
    {
        var fiscalCode = Citizens.NewFiscalCode();
        DateOnly? due = dueInDays is { } days ? DateOnly.FromDateTime(DateTime.UtcNow).AddDays(days) : null;
        var refused = await Platform.Hosts.RegisterServiceAsync($"tributi-refused-{Guid.NewGuid():N}"[..30]);

        var response = await refused.PostAsJsonAsync("/api/v1/notices", Body(fiscalCode, $"{fiscalCode.ToLowerInvariant()}@example.it", due, reminders));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { field }), problem.ToString());
        var listing = await refused.GetFromJsonAsync<JsonElement>("/api/v1/notices");
        Assert.That(listing.GetProperty("items").GetArrayLength(), Is.Zero, "nothing stored");
    }

    [Test]
    public async Task Should_take_reminders_over_the_broker_with_the_same_rules()
    {
        await using var broker = await BrokerService.StartAsync("reminders");
        var notice = JsonSerializer.SerializeToNode(BrokerService.Notice(broker.Id, $"reminders-broker-{Guid.NewGuid():N}@example.it"))!;
        var (due, before, at) = ReminderIn(TimeSpan.FromHours(1));

        notice["reminders"] = new JsonArray("P1D");
        await broker.PublishAsync(notice);
        var rejected = await broker.NextReplyAsync();
        Assert.That(rejected.GetProperty("reason").GetString(), Is.EqualTo("INVALID_NOTICE"), rejected.ToString());
        Assert.That(rejected.GetProperty("errors").TryGetProperty("reminders", out _), Is.True, "no due date: " + rejected);

        notice["submissionId"] = Guid.NewGuid().ToString();
        notice["content"]!["dueDate"] = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        notice["reminders"] = new JsonArray(before);
        await broker.PublishAsync(notice);
        var accepted = await broker.NextReplyAsync();
        var id = accepted.GetProperty("noticeId").GetGuid();
        var status = await NoticeApi.StatusAsync(broker.Http, id);
        var reminder = RemindersOf(status).Single();
        Assert.That(reminder.GetProperty("before").GetString(), Is.EqualTo(before));
        Assert.That(reminder.GetProperty("send_at").GetDateTimeOffset(), Is.EqualTo(at));
        (await broker.Http.PostAsync($"/api/v1/notices/{id}/resolve", null)).EnsureSuccessStatusCode();
    }
}
