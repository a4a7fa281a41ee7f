using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>DESIGN §6 on the real stack: the citizen's profile decides the channels, within the service's permissions.</summary>
public class Routing_by_the_citizens_profile
{
    private HttpClient _allChannels = null!;
    private HttpClient _emailOnly = null!;

    [OneTimeSetUp]
    public async Task RegisterAsync()
    {
        _allChannels = await Platform.Hosts.RegisterServiceAsync("tributi-regione", "email", "sms", "push");
        _emailOnly = await Platform.Hosts.RegisterServiceAsync("scuola-primaria", "email", "push");
    }

    private static async Task<(string FiscalCode, string Email)> CreateProfileAsync(object? changes = null, string language = "it")
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var email = $"{fiscalCode.ToLowerInvariant()}@example.it";
        var body = new Dictionary<string, object?>
        {
            ["email"] = email, ["email_verified"] = true, ["phone"] = PhoneOf(fiscalCode), ["push_tokens"] = TokensOf(fiscalCode),
            ["language"] = language, ["channels"] = new { email = true, sms = true, push = true },
        };
        foreach (var property in JsonSerializer.SerializeToElement(changes ?? new { }).EnumerateObject())
        {
            body[property.Name] = property.Value;
        }

        var response = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (fiscalCode, email);
    }

    /// <summary>A mobile number of this citizen's own (E.164), so the SMS provider's requests can be told apart.</summary>
    private static string PhoneOf(string fiscalCode) => $"+39347{Math.Abs(fiscalCode.GetHashCode()) % 10_000_000:0000000}";

    private static string[] TokensOf(string fiscalCode) => [$"device-a-{fiscalCode}", $"device-b-{fiscalCode}"];

    private static int PushesFor(Guid id) => Platform.Hosts.Fcm.Delivered.Count(p => p.NoticeId == id.ToString());

    private static int SmsTo(string fiscalCode) => Platform.Hosts.Twilio.Accepted.Count(r => r.To == PhoneOf(fiscalCode));

    private static async Task<JsonElement> RoutedAsync(HttpClient service, Guid id) =>
        await Eventually.Until(() => NoticeApi.StatusAsync(service, id), s => s.GetProperty("status").GetString() != "ACCEPTED", what: "routing");

    private static string[] Planned(JsonElement status) =>
        [.. status.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channel").GetString()!)];

    [Test]
    public async Task Should_tell_a_citizen_with_a_phone_and_two_devices_once_per_channel_and_device()
    {
        var (fiscalCode, email) = await CreateProfileAsync();

        var id = await NoticeApi.SubmitAsync(_allChannels, NoticeApi.Body(fiscalCode: fiscalCode));

        await NoticeApi.WaitForChannelAsync(_allChannels, id, "email", "SENT");
        await NoticeApi.WaitForChannelAsync(_allChannels, id, "sms", "SENT");
        var status = await NoticeApi.WaitForChannelAsync(_allChannels, id, "push", "SENT");
        Assert.That(Planned(status), Is.EquivalentTo(new[] { "email", "sms", "push" }));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Has.Count.EqualTo(1));
        Assert.That(SmsTo(fiscalCode), Is.EqualTo(1));
        Assert.That(Platform.Hosts.Twilio.Accepted.Single(r => r.To == PhoneOf(fiscalCode)).Body, Does.Contain("La tua carta d'identità"));
        Assert.That(PushesFor(id), Is.EqualTo(2));
        Assert.That(Platform.Hosts.Fcm.Delivered.Where(p => p.NoticeId == id.ToString()).Select(p => p.Token), Is.EquivalentTo(TokensOf(fiscalCode)));
    }

    [Test]
    public async Task Should_hold_sms_through_a_provider_outage_longer_than_the_ordinary_retry_budget_and_send_once()
    {
        var (fiscalCode, _) = await CreateProfileAsync(new { channels = new { email = false, sms = true, push = false } });
        Platform.Hosts.Twilio.Answer = (_, _) => TwilioAnswer.Error(503, 20500);
        Guid id;
        try
        {
            id = await NoticeApi.SubmitAsync(_allChannels, NoticeApi.Body(fiscalCode: fiscalCode));
            await Task.Delay(TimeSpan.FromSeconds(9)); // the ordinary budget (8 retries of 0.2–1 s) would have dead-lettered it by now
            // Still retrying (each failed attempt shows THROTTLED), not FAILED.
            Assert.That(NoticeApi.ChannelStatus(await NoticeApi.StatusAsync(_allChannels, id), "sms"), Is.EqualTo("THROTTLED"));
        }
        finally
        {
            Platform.Hosts.Twilio.Answer = (_, _) => null;
        }

        await NoticeApi.WaitForChannelAsync(_allChannels, id, "sms", "SENT", TimeSpan.FromSeconds(45));
        Assert.That(SmsTo(fiscalCode), Is.EqualTo(1));
        var dead = await Platform.Hosts.Vhost.PeekAsync("send-sms_error", 100);
        Assert.That(dead.EnumerateArray().Where(m => m.GetProperty("payload").GetString()!.Contains(id.ToString())), Is.Empty);
    }

    [Test]
    public async Task Should_email_and_push_but_not_sms_a_citizen_who_switched_sms_off()
    {
        var (fiscalCode, email) = await CreateProfileAsync(new { channels = new { email = true, sms = false, push = true } });

        var id = await NoticeApi.SubmitAsync(_allChannels, NoticeApi.Body(fiscalCode: fiscalCode));

        await NoticeApi.WaitForChannelAsync(_allChannels, id, "email", "SENT");
        var status = await NoticeApi.WaitForChannelAsync(_allChannels, id, "push", "SENT");
        Assert.That(Planned(status), Is.EquivalentTo(new[] { "email", "push" }));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Has.Count.EqualTo(1));
        Assert.That(PushesFor(id), Is.EqualTo(2));
        Assert.That(SmsTo(fiscalCode), Is.Zero);
    }

    [Test]
    public async Task Should_remove_a_device_token_the_push_provider_calls_unregistered_from_the_profile()
    {
        var (fiscalCode, _) = await CreateProfileAsync(new { channels = new { email = false, sms = false, push = true } });
        var dead = TokensOf(fiscalCode)[0];
        Platform.Hosts.Fcm.Answer = (request, _) => request.Token == dead ? FcmAnswer.Error(404, "UNREGISTERED") : null;
        try
        {
            var id = await NoticeApi.SubmitAsync(_allChannels, NoticeApi.Body(fiscalCode: fiscalCode));

            await NoticeApi.WaitForChannelAsync(_allChannels, id, "push", "SENT");
            var profile = await Eventually.Until(() => Platform.Hosts.Preferences.GetFromJsonAsync<JsonElement>($"/api/v1/profiles/{fiscalCode}"),
                p => p.GetProperty("push_tokens").GetArrayLength() == 1, what: "the token removed");
            Assert.That(profile.GetProperty("push_tokens")[0].GetString(), Is.EqualTo(TokensOf(fiscalCode)[1]));
        }
        finally
        {
            Platform.Hosts.Fcm.Answer = (_, _) => null;
        }
    }

    [Test]
    public async Task Should_reject_a_notice_from_a_service_the_citizen_blocked_and_send_nothing()
    {
        var (fiscalCode, email) = await CreateProfileAsync(new { blocked_services = new[] { "tributi-regione" } });

        var id = await NoticeApi.SubmitAsync(_allChannels, NoticeApi.Body(fiscalCode: fiscalCode));

        var status = await RoutedAsync(_allChannels, id);
        Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("REJECTED"));
        Assert.That(status.GetProperty("rejection_reason").GetString(), Is.EqualTo("SERVICE_BLOCKED"));
        Assert.That(Planned(status), Is.Empty);
        Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Is.Empty);
    }

    [Test]
    public async Task Should_never_plan_sms_for_a_service_not_allowed_sms()
    {
        var (fiscalCode, _) = await CreateProfileAsync();

        var id = await NoticeApi.SubmitAsync(_emailOnly, NoticeApi.Body(fiscalCode: fiscalCode));

        var status = await NoticeApi.WaitForChannelAsync(_emailOnly, id, "push", "SENT");
        Assert.That(Planned(status), Is.EquivalentTo(new[] { "email", "push" }));
        Assert.That(SmsTo(fiscalCode), Is.Zero);
    }

    [Test]
    public async Task Should_not_use_an_unverified_email()
    {
        var (fiscalCode, email) = await CreateProfileAsync(new { email_verified = false, channels = new { email = true, sms = false, push = false } });

        var id = await NoticeApi.SubmitAsync(_allChannels, NoticeApi.Body(fiscalCode: fiscalCode));

        var status = await RoutedAsync(_allChannels, id);
        Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("PROCESSED"), "the notice stays in the inbox");
        Assert.That(Planned(status), Is.Empty);
        Assert.That(status.GetProperty("status_detail").GetString(), Does.Contain("No usable channel"));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Is.Empty);
    }

    [Test]
    public async Task Should_treat_an_erased_citizen_as_unknown()
    {
        var (fiscalCode, _) = await CreateProfileAsync();
        var deleted = await Platform.Hosts.Preferences.DeleteAsync($"/api/v1/profiles/{fiscalCode}");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await Platform.Hosts.Preferences.GetAsync($"/api/v1/profiles/{fiscalCode}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        var id = await NoticeApi.SubmitAsync(_allChannels, NoticeApi.Body(fiscalCode: fiscalCode));

        var status = await RoutedAsync(_allChannels, id);
        Assert.That(status.GetProperty("rejection_reason").GetString(), Is.EqualTo("USER_NOT_FOUND"));
    }

    [Test]
    public async Task Should_write_the_fixed_parts_of_a_german_speaking_citizens_email_in_german()
    {
        var (fiscalCode, email) = await CreateProfileAsync(new { channels = new { email = true, sms = false, push = false } }, language: "de");

        var id = await NoticeApi.SubmitAsync(_allChannels, NoticeApi.Body(fiscalCode: fiscalCode));

        await NoticeApi.WaitForChannelAsync(_allChannels, id, "email", "SENT");
        var mail = Platform.Hosts.Smtp.MessagesTo(email).Single();
        Assert.That(mail.TextBody, Does.Contain("Im Auftrag von Anagrafe — Comune di Prova über Notifiche versandt."));
        Assert.That(mail.TextBody, Does.Contain("Sehr geehrte Bürgerin"));
        Assert.That(mail.TextBody, Does.Not.Contain("Inviato per conto di"));
    }
}

public class Managing_a_profile
{
    [TestCase("phone", "12345")]
    [TestCase("phone", "+39 06 1234 5678")] // a valid Rome landline: not a mobile
    [TestCase("language", "klingon")]
    [TestCase("email", "mario.rossi@")]
    [TestCase("push_tokens", "")]
    public async Task Should_answer_400_naming_the_field_and_store_nothing(string field, string value)
    {
        var fiscalCode = Citizens.NewFiscalCode();
        object body = field == "push_tokens" ? new { push_tokens = new[] { value } } : new Dictionary<string, string> { [field] = value };

        var response = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
        Assert.That((await Platform.Hosts.Preferences.GetAsync($"/api/v1/profiles/{fiscalCode}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("RSSMRA85T10A562T")]
    [TestCase("RSSMRA85T10A56")]
    public async Task Should_reject_an_invalid_codice_fiscale(string fiscalCode)
    {
        var response = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", new { language = "it" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("fiscal_code", out _), Is.True);
    }

    [TestCase("347 123 4567", "+393471234567")]
    [TestCase("3471234567", "+393471234567")]
    [TestCase("+39 347 1234567", "+393471234567")]
    [TestCase("0039 347 1234567", "+393471234567")]
    public async Task Should_store_italian_mobile_numbers_as_e164(string written, string stored)
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var put = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode.ToLowerInvariant()}", new { phone = written });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());

        var profile = await Platform.Hosts.Preferences.GetFromJsonAsync<JsonElement>($"/api/v1/profiles/{fiscalCode}");

        Assert.That(profile.GetProperty("phone").GetString(), Is.EqualTo(stored));
        Assert.That(profile.GetProperty("fiscal_code").GetString(), Is.EqualTo(fiscalCode));
        Assert.That(profile.GetProperty("language").GetString(), Is.EqualTo("it"));
    }

    [Test]
    public async Task Should_refuse_a_service_key_or_no_key()
    {
        using var anonymous = new HttpClient { BaseAddress = Platform.Hosts.Preferences.BaseAddress };
        var response = await anonymous.GetAsync($"/api/v1/profiles/{Citizens.NewFiscalCode()}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }
}
