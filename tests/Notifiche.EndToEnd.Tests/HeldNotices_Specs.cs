using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Notifiche.Preferences.Holding;
using Notifiche.Testing;
using Npgsql;

namespace Notifiche.EndToEnd.Tests;

/// <summary>What the held-until-registered specs share: a notice that asks to be held, the citizen's profile, the rows.</summary>
internal static class Held
{
    public static object Body(string fiscalCode, string subject, int? timeToLive = null) => new
    {
        fiscal_code = fiscalCode,
        content = new
        {
            subject,
            markdown = "Gentile cittadino, il tuo **referto** è disponibile presso l'ASL.\n\nPuoi consultarlo su [referti](https://example.it/referti).",
        },
        time_to_live = timeToLive,
        hold_until_registered = true,
    };

    public static string EmailOf(string fiscalCode) => $"held-{fiscalCode.ToLowerInvariant()}@example.it";

    public static async Task CreateProfileAsync(string fiscalCode)
    {
        var response = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", new { email = EmailOf(fiscalCode), email_verified = true });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    public static Task<JsonElement> WaitForStatusAsync(HttpClient service, Guid id, string status, TimeSpan? timeout = null) =>
        Eventually.Until(() => NoticeApi.StatusAsync(service, id), s => s.GetProperty("status").GetString() == status, timeout, $"notice {status}");

    /// <summary>Preferences' held row of a notice: whether it is there, and whether it still holds the codice fiscale and the content.</summary>
    public static async Task<(bool Stored, bool WithData)> RowAsync(Guid noticeId)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Platform.Hosts.PreferencesDatabase.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT fiscal_code IS NOT NULL OR payload IS NOT NULL FROM held_notices WHERE notice_id = @id", connection);
        query.Parameters.AddWithValue("id", noticeId);
        return await query.ExecuteScalarAsync() is bool withData ? (true, withData) : (false, false);
    }

    public static Task RestartPreferencesAsync(Action<IServiceCollection>? services = null) =>
        RestartAsync(ServiceHosts.Preferences, services);

    public static async Task RestartAsync(string service, Action<IServiceCollection>? services = null)
    {
        await Platform.Hosts.StopServiceAsync(service);
        await Platform.Hosts.StartServiceAsync(service, services);
        await Platform.Hosts.WaitUntilReadyAsync();
    }
}

/// <summary>
/// Held until registered (issue 17, point 6): a notice for a citizen the platform does not know yet, sent with
/// <c>hold_until_registered</c>, is HELD instead of REJECTED / USER_NOT_FOUND, and routed to the citizen's channels when
/// the profile is created.
/// </summary>
[NonParallelizable]
public class Holding_a_notice_until_the_citizen_registers
{
    private HttpClient _service = null!;

    [OneTimeSetUp]
    public async Task RegisterAsync() => _service = await Platform.Hosts.RegisterServiceAsync("asl-held");

    [Test]
    public async Task Should_hold_the_notices_and_route_each_once_when_the_profile_is_created()
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var first = await NoticeApi.SubmitAsync(_service, Held.Body(fiscalCode, "Il tuo referto è pronto (primo)"));
        var second = await NoticeApi.SubmitAsync(_service, Held.Body(fiscalCode, "Il tuo referto è pronto (secondo)"));

        foreach (var id in new[] { first, second })
        {
            var held = await Held.WaitForStatusAsync(_service, id, "HELD");
            Assert.That(held.TryGetProperty("rejection_reason", out var reason) ? reason.ValueKind : JsonValueKind.Null, Is.EqualTo(JsonValueKind.Null), held.ToString());
            Assert.That(held.GetProperty("channels").GetArrayLength(), Is.Zero);
            var events = await _service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}/events");
            Assert.That(events.ToString(), Does.Contain("\"held\"").And.Contain("hold until registered"));
            Assert.That((await Held.RowAsync(id)).Stored, Is.True, "kept in preferences' database");
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(Held.EmailOf(fiscalCode)), Is.Empty, "nothing sent while the citizen is unknown");

        await Held.CreateProfileAsync(fiscalCode);

        foreach (var id in new[] { first, second })
        {
            var sent = await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT");
            Assert.That(sent.GetProperty("status").GetString(), Is.EqualTo("PROCESSED"));
            await Eventually.Until(() => Held.RowAsync(id), row => !row.Stored, TimeSpan.FromSeconds(30), "the held row removed once routed");
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        var mails = Platform.Hosts.Smtp.MessagesTo(Held.EmailOf(fiscalCode));
        Assert.That(mails, Has.Count.EqualTo(2), "each held notice sent once");
    }

    [Test]
    public async Task Should_reject_a_notice_without_the_option_as_before()
    {
        var body = JsonSerializer.SerializeToNode(Held.Body(Citizens.NewFiscalCode(), "Il tuo referto è pronto"))!;
        body.AsObject().Remove("hold_until_registered");

        var id = await NoticeApi.SubmitAsync(_service, body);

        var status = await Held.WaitForStatusAsync(_service, id, "REJECTED");
        Assert.That(status.GetProperty("rejection_reason").GetString(), Is.EqualTo("USER_NOT_FOUND"));
        Assert.That((await Held.RowAsync(id)).Stored, Is.False);
    }

    [Test]
    public async Task Should_route_at_once_a_notice_for_a_citizen_who_has_a_profile()
    {
        var fiscalCode = Citizens.NewFiscalCode();
        await Held.CreateProfileAsync(fiscalCode);

        var id = await NoticeApi.SubmitAsync(_service, Held.Body(fiscalCode, "Il tuo referto è pronto"));

        await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT");
        Assert.That((await Held.RowAsync(id)).Stored, Is.False);
    }

    [TestCase("\"yes\"")]
    [TestCase("1")]
    public async Task Should_answer_400_naming_the_field_for_a_value_that_is_not_a_boolean_and_store_nothing(string value)
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var body = JsonSerializer.SerializeToNode(Held.Body(fiscalCode, "Il tuo referto è pronto"))!;
        body["hold_until_registered"] = JsonSerializer.SerializeToNode(JsonDocument.Parse(value).RootElement);
        var before = await Platform.Hosts.Database.CountAsync("notices");

        var response = await _service.PostAsync("/api/v1/notices", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").TryGetProperty("hold_until_registered", out _), Is.True, problem.ToString());
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before), "nothing stored");
    }

    [Test]
    public async Task Should_take_the_option_over_the_broker()
    {
        await using var broker = await BrokerService.StartAsync("held");
        var fiscalCode = Citizens.NewFiscalCode();
        var notice = JsonSerializer.SerializeToNode(BrokerService.Notice(broker.Id, fiscalCode: fiscalCode))!;

        notice["holdUntilRegistered"] = true;
        await broker.PublishAsync(notice);
        var id = (await broker.NextReplyAsync()).GetProperty("noticeId").GetGuid();
        await Held.WaitForStatusAsync(broker.Http, id, "HELD");

        await Held.CreateProfileAsync(fiscalCode);
        await NoticeApi.WaitForChannelAsync(broker.Http, id, "email", "SENT");
    }
}

/// <summary>
/// A held notice lives only in the databases: it survives a restart of every process it passes through and is routed once
/// when the profile appears.
/// </summary>
[NonParallelizable]
public class Restarting_every_process_while_a_notice_is_held
{
    [Test]
    public async Task Should_route_the_held_notice_once_when_the_profile_is_created_after_the_restarts()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("asl-held-restart");
        var fiscalCode = Citizens.NewFiscalCode();
        var id = await NoticeApi.SubmitAsync(service, Held.Body(fiscalCode, "Il tuo referto è pronto"));
        await Held.WaitForStatusAsync(service, id, "HELD");

        foreach (var process in new[] { ServiceHosts.Gateway, ServiceHosts.Preferences, ServiceHosts.EmailDispatch })
        {
            await Held.RestartAsync(process);
        }

        Assert.That((await NoticeApi.StatusAsync(service, id)).GetProperty("status").GetString(), Is.EqualTo("HELD"));
        // The gateway down while the profile is created: routing's outcome waits in the broker for it.
        await Platform.Hosts.StopServiceAsync(ServiceHosts.Gateway);
        try
        {
            await Held.CreateProfileAsync(fiscalCode);
            await Eventually.Until(() => Held.RowAsync(id), row => !row.Stored, TimeSpan.FromSeconds(30), "the held row relayed");
        }
        finally
        {
            await Platform.Hosts.StartServiceAsync(ServiceHosts.Gateway);
        }

        await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(Held.EmailOf(fiscalCode)), Has.Count.EqualTo(1), "routed and sent once");
    }
}

/// <summary>A held notice whose time to live ends before the citizen registers is EXPIRED, and never sent (preferences on a fake clock).</summary>
[NonParallelizable]
public class A_held_notice_whose_time_to_live_ends
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [OneTimeSetUp]
    public Task SetUpAsync() => Held.RestartPreferencesAsync(services => services.AddSingleton<TimeProvider>(_clock));

    [OneTimeTearDown]
    public Task TearDownAsync() => Held.RestartPreferencesAsync();

    [Test]
    public async Task Should_be_expired_then_and_not_sent_when_the_citizen_registers_later()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("asl-held-expiry");
        var fiscalCode = Citizens.NewFiscalCode();
        var id = await NoticeApi.SubmitAsync(service, Held.Body(fiscalCode, "Il tuo referto è pronto", timeToLive: 3_600));
        await Held.WaitForStatusAsync(service, id, "HELD");

        _clock.Advance(TimeSpan.FromMinutes(58));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That((await NoticeApi.StatusAsync(service, id)).GetProperty("status").GetString(), Is.EqualTo("HELD"), "held until it expires");

        _clock.Advance(TimeSpan.FromMinutes(5));
        var expired = await Held.WaitForStatusAsync(service, id, "EXPIRED");
        Assert.That(expired.GetProperty("channels").GetArrayLength(), Is.Zero);
        var events = await service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}/events");
        Assert.That(events.ToString(), Does.Contain("\"expired\""));
        await Eventually.Until(() => Held.RowAsync(id), row => !row.Stored, TimeSpan.FromSeconds(30), "the held row removed");

        await Held.CreateProfileAsync(fiscalCode);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(Held.EmailOf(fiscalCode)), Is.Empty);
        Assert.That((await NoticeApi.StatusAsync(service, id)).GetProperty("status").GetString(), Is.EqualTo("EXPIRED"));
    }

    [Test]
    public async Task Should_cancel_its_due_date_reminders_when_it_expires()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("asl-held-reminders");
        var fiscalCode = Citizens.NewFiscalCode();
        var dueDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(10)).ToString("yyyy-MM-dd");
        var id = await NoticeApi.SubmitAsync(service, new
        {
            fiscal_code = fiscalCode,
            content = new { subject = "Il tuo ticket sanitario scade", markdown = "Gentile cittadino, il **ticket** della tua visita è da pagare entro la scadenza indicata.\n\nPuoi pagarlo su [pagoPA](https://example.it/ticket).", due_date = dueDate },
            reminders = new[] { "P1D" },
            time_to_live = 3_600,
            hold_until_registered = true,
        });
        // The class's clock may already be past this notice's expiry (an earlier spec advanced it): held, or expired at once.
        await Eventually.Until(() => NoticeApi.StatusAsync(service, id), s => s.GetProperty("status").GetString() is "HELD" or "EXPIRED",
            null, "notice HELD or EXPIRED");
        _clock.Advance(TimeSpan.FromMinutes(63));
        var expired = await Held.WaitForStatusAsync(service, id, "EXPIRED");
        var reminder = expired.GetProperty("reminders")[0];
        Assert.That(reminder.GetProperty("status").GetString(), Is.EqualTo("CANCELLED"),
            "a notice that was never delivered has nothing to remind of");
    }
}

/// <summary>
/// Privacy: erasing a profile whose held notices were released but not yet routed drops their content and codice fiscale
/// in the erasure's transaction; the notices are REJECTED and nothing is sent (preferences' relay held back meanwhile).
/// </summary>
[NonParallelizable]
public class Erasing_a_profile_before_its_held_notices_are_routed
{
    [OneTimeSetUp]
    public Task SetUpAsync() =>
        Held.RestartPreferencesAsync(services => services.Configure<HeldNoticesOptions>(o => o.SweepInterval = TimeSpan.FromMinutes(10)));

    [OneTimeTearDown]
    public Task TearDownAsync() => Held.RestartPreferencesAsync();

    [Test]
    public async Task Should_drop_the_held_notice_data_with_the_profile()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("asl-held-erasure");
        var fiscalCode = Citizens.NewFiscalCode();
        var id = await NoticeApi.SubmitAsync(service, Held.Body(fiscalCode, "Il tuo referto è pronto"));
        await Held.WaitForStatusAsync(service, id, "HELD");

        await Held.CreateProfileAsync(fiscalCode);
        var erased = await Platform.Hosts.Preferences.DeleteAsync($"/api/v1/profiles/{fiscalCode}");
        Assert.That(erased.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await erased.Content.ReadAsStringAsync());

        Assert.That(await Held.RowAsync(id), Is.EqualTo((true, false)), "the row keeps neither the codice fiscale nor the content");

        await Held.RestartPreferencesAsync();
        var status = await Held.WaitForStatusAsync(service, id, "REJECTED");
        Assert.That(status.GetProperty("rejection_reason").GetString(), Is.EqualTo("USER_NOT_FOUND"));
        Assert.That(status.GetProperty("status_detail").GetString(), Does.Contain("erased"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(Held.EmailOf(fiscalCode)), Is.Empty);
    }
}
