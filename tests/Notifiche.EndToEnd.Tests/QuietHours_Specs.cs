using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Quiet hours (issue 17, point 3) on the real stack, with preferences on a fake clock: inside the citizen's quiet hours
/// the SMS waits (DEFERRED, durably, in preferences' database) until they end and is then sent once, also across a
/// restart; email is sent at once; an urgent notice from a service allowed to send one is sent at once on every channel.
/// </summary>
[NonParallelizable]
public class Delivering_inside_quiet_hours
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private HttpClient _service = null!;
    private HttpClient _urgentService = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _service = await Platform.Hosts.RegisterServiceAsync("tributi-quiet", "email", "sms");
        _urgentService = await Platform.Hosts.RegisterServiceAsync("protezione-civile-quiet", "email", "sms");
        await Platform.Hosts.OperatorAsync<JsonElement>(HttpMethod.Patch, "/api/v1/admin/services/protezione-civile-quiet", new { urgent_allowed = true });
        await RestartPreferencesAsync(_clock);
    }

    [OneTimeTearDown]
    public Task TearDownAsync() => RestartPreferencesAsync(null);

    private static async Task RestartPreferencesAsync(TimeProvider? clock)
    {
        await Platform.Hosts.StopServiceAsync(ServiceHosts.Preferences);
        await Platform.Hosts.StartServiceAsync(ServiceHosts.Preferences, clock is null ? null : services => services.AddSingleton(clock));
    }

    /// <summary>A citizen with a verified email and a phone whose quiet hours (UTC) began an hour ago and end in two.</summary>
    private async Task<(string FiscalCode, string Phone, DateTimeOffset QuietUntil)> CitizenInQuietHoursAsync()
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var phone = $"+39348{Math.Abs(fiscalCode.GetHashCode()) % 10_000_000:0000000}";
        var now = _clock.GetUtcNow();
        var end = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddHours(2);
        var response = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", new
        {
            email = $"{fiscalCode.ToLowerInvariant()}@example.it", email_verified = true, phone,
            quiet_hours = new { from = now.AddHours(-1).ToString("HH:mm", CultureInfo.InvariantCulture), to = end.ToString("HH:mm", CultureInfo.InvariantCulture) },
            time_zone = "UTC",
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (fiscalCode, phone, end);
    }

    private static int SmsTo(string phone) => Platform.Hosts.Twilio.Accepted.Count(r => r.To == phone);

    private static DateTimeOffset DeferredUntil(JsonElement status, string channel) =>
        status.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == channel)
            .GetProperty("deferred_until").GetDateTimeOffset();

    [Test, Order(3)]
    public async Task Should_send_email_at_once_and_the_sms_once_when_quiet_hours_end()
    {
        var (fiscalCode, phone, end) = await CitizenInQuietHoursAsync();

        var id = await NoticeApi.SubmitAsync(_service, NoticeApi.Body(fiscalCode: fiscalCode));

        await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT");
        var status = await NoticeApi.WaitForChannelAsync(_service, id, "sms", "DEFERRED");
        Assert.That(DeferredUntil(status, "sms"), Is.EqualTo(end));
        var events = await _service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}/events");
        Assert.That(events.ToString(), Does.Contain("deferred").And.Contain($"deferred until {end.UtcDateTime:yyyy-MM-ddTHH:mm}"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(SmsTo(phone), Is.Zero, "not sent inside quiet hours");
        Assert.That(await Platform.Hosts.PreferencesDatabase.CountAsync("deferred_dispatches"), Is.GreaterThanOrEqualTo(1), "kept durably");

        _clock.Advance(end - _clock.GetUtcNow() - TimeSpan.FromMinutes(1));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(SmsTo(phone), Is.Zero, "not a minute early");

        _clock.Advance(TimeSpan.FromMinutes(1));
        status = await NoticeApi.WaitForChannelAsync(_service, id, "sms", "SENT");
        Assert.That(DeferredUntil(status, "sms"), Is.EqualTo(end), "the status still says it was deferred");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(SmsTo(phone), Is.EqualTo(1));
    }

    [Test, Order(4)]
    public async Task Should_send_the_deferred_sms_once_after_preferences_restarted_in_between()
    {
        var (fiscalCode, phone, end) = await CitizenInQuietHoursAsync();
        var id = await NoticeApi.SubmitAsync(_service, NoticeApi.Body(fiscalCode: fiscalCode));
        await NoticeApi.WaitForChannelAsync(_service, id, "sms", "DEFERRED");

        // Nothing of the deferral lives in the process: stopped inside quiet hours, started after they ended.
        await Platform.Hosts.StopServiceAsync(ServiceHosts.Preferences);
        _clock.Advance(end - _clock.GetUtcNow() + TimeSpan.FromMinutes(5));
        await Platform.Hosts.StartServiceAsync(ServiceHosts.Preferences, services => services.AddSingleton<TimeProvider>(_clock));

        await NoticeApi.WaitForChannelAsync(_service, id, "sms", "SENT");
        await Eventually.Until(() => Platform.Hosts.PreferencesDatabase.CountAsync("deferred_dispatches"), n => n == 0, TimeSpan.FromSeconds(30),
            "published rows removed");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(SmsTo(phone), Is.EqualTo(1));
    }

    [Test, Order(2)]
    public async Task Should_send_an_urgent_notice_at_once_on_every_channel()
    {
        var (fiscalCode, phone, _) = await CitizenInQuietHoursAsync();
        var body = JsonSerializer.SerializeToNode(NoticeApi.Body(fiscalCode: fiscalCode))!;
        body["urgent"] = true;

        var id = await NoticeApi.SubmitAsync(_urgentService, body);

        var status = await NoticeApi.WaitForChannelAsync(_urgentService, id, "sms", "SENT");
        Assert.That(status.GetProperty("channels").EnumerateArray().Any(c => c.TryGetProperty("deferred_until", out _)), Is.False);
        Assert.That(SmsTo(phone), Is.EqualTo(1));
    }

    [Test, Order(2)]
    public async Task Should_refuse_urgent_from_a_service_without_the_permission_and_store_nothing()
    {
        var (fiscalCode, _, _) = await CitizenInQuietHoursAsync();
        var body = JsonSerializer.SerializeToNode(NoticeApi.Body(fiscalCode: fiscalCode))!;
        body["urgent"] = true;

        var response = await _service.PostAsJsonAsync("/api/v1/notices", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").TryGetProperty("urgent", out _), Is.True, problem.ToString());
    }

    [Test, Order(2)]
    public async Task Should_refuse_urgent_over_the_broker_from_a_service_without_the_permission()
    {
        await using var broker = await BrokerService.StartAsync("urgent");
        var notice = JsonSerializer.SerializeToNode(BrokerService.Notice(broker.Id, $"urgent-broker-{Guid.NewGuid():N}@example.it"))!;
        notice["urgent"] = true;

        await broker.PublishAsync(notice);

        var rejected = await broker.NextReplyAsync();
        Assert.That(rejected.GetProperty("reason").GetString(), Is.EqualTo("URGENT_NOT_ALLOWED"), rejected.ToString());
        Assert.That(rejected.GetProperty("errors").TryGetProperty("urgent", out _), Is.True, rejected.ToString());
    }

    [Test, Order(5)]
    public async Task Should_withdraw_a_deferred_sms_when_the_citizen_erases_the_profile()
    {
        var (fiscalCode, phone, end) = await CitizenInQuietHoursAsync();
        var id = await NoticeApi.SubmitAsync(_service, NoticeApi.Body(fiscalCode: fiscalCode));
        await NoticeApi.WaitForChannelAsync(_service, id, "sms", "DEFERRED");

        var erased = await Platform.Hosts.Preferences.DeleteAsync($"/api/v1/profiles/{fiscalCode}");
        Assert.That(erased.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await erased.Content.ReadAsStringAsync());

        // At once, not at the end of quiet hours: the phone number leaves preferences' database with the profile.
        var status = await NoticeApi.WaitForChannelAsync(_service, id, "sms", "FAILED");
        var sms = status.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "sms");
        Assert.That(sms.GetProperty("reason").GetString(), Does.Contain("profile was erased"));
        await Eventually.Until(() => Platform.Hosts.PreferencesDatabase.CountAsync("deferred_dispatches"), n => n == 0, TimeSpan.FromSeconds(30),
            "the withdrawn row published and removed");

        _clock.Advance(end - _clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(SmsTo(phone), Is.Zero, "nothing reaches the erased citizen's old number");
    }

    // First: the notice expires an hour after the gateway's (real) clock, and the later specs move preferences' clock hours ahead.
    [Test, Order(1)]
    public async Task Should_expire_the_sms_when_quiet_hours_end_after_the_notice_does()
    {
        var (fiscalCode, phone, end) = await CitizenInQuietHoursAsync();
        var body = JsonSerializer.SerializeToNode(NoticeApi.Body(fiscalCode: fiscalCode))!;
        body["time_to_live"] = 3_600;

        var id = await NoticeApi.SubmitAsync(_service, body);

        await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT");
        var status = await NoticeApi.WaitForChannelAsync(_service, id, "sms", "EXPIRED");
        Assert.That(DeferredUntil(status, "sms"), Is.EqualTo(end), "the status says why: it could be sent only after it expired");
        Assert.That(SmsTo(phone), Is.Zero);
    }
}
