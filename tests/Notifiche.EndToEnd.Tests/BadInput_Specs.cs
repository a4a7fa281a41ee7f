using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>Every invalid request gets a 4xx problem+json naming the field, and nothing is stored.</summary>
public class Submitting_invalid_notices
{
    private HttpClient _service = null!;

    [OneTimeSetUp]
    public async Task RegisterAsync() => _service = await Platform.Hosts.RegisterServiceAsync("anagrafe-validation");

    private static string Json(object body) => JsonSerializer.Serialize(body);

    private static string WithContent(string subject, int markdownLength) => Json(new
    {
        fiscal_code = NoticeApi.FiscalCode,
        content = new { subject, markdown = new string('m', markdownLength) },
    });

    public static IEnumerable<TestCaseData> InvalidBodies()
    {
        yield return new TestCaseData(Json(NoticeApi.Body(fiscalCode: "RSSMRA85T10A562T")), "fiscal_code").SetName("wrong check character");
        yield return new TestCaseData(Json(NoticeApi.Body(fiscalCode: "RSSMRA85T10A562")), "fiscal_code").SetName("codice fiscale too short");
        yield return new TestCaseData(Json(NoticeApi.Body(fiscalCode: "RSSMRA85T10A562SS")), "fiscal_code").SetName("codice fiscale too long");
        yield return new TestCaseData(WithContent("Breve", 100), "content.subject").SetName("subject too short");
        yield return new TestCaseData(WithContent(new string('s', 121), 100), "content.subject").SetName("subject too long");
        yield return new TestCaseData(WithContent("Avviso \u202Eotnemagap", 100), "content.subject").SetName("subject with a right-to-left override");
        yield return new TestCaseData(WithContent("Avviso\u0007 importante", 100), "content.subject").SetName("subject with a control character");
        yield return new TestCaseData(WithContent("Oggetto valido", 79), "content.markdown").SetName("markdown too short");
        yield return new TestCaseData(WithContent("Oggetto valido", 10_001), "content.markdown").SetName("markdown too long");
        yield return new TestCaseData(Json(new { fiscal_code = NoticeApi.FiscalCode, content = new { subject = "Oggetto valido", markdown = new string('m', 100) }, time_to_live = 3_599 }), "time_to_live").SetName("ttl too short");
        yield return new TestCaseData(Json(new { fiscal_code = NoticeApi.FiscalCode, content = new { subject = "Oggetto valido", markdown = new string('m', 100) }, time_to_live = 604_801 }), "time_to_live").SetName("ttl too long");
        yield return new TestCaseData(Json(NoticeApi.Body(email: "not-an-address")), "default_addresses.email").SetName("invalid email");
        yield return new TestCaseData("""{"fiscal_code": "RSSMRA85T10A562S", "content": {"subject": 42}}""", "content.subject").SetName("wrong JSON type");
        yield return new TestCaseData("""{"fiscal_code": "RSSMRA85T10A562S", "content": """, "content").SetName("truncated JSON");
        yield return new TestCaseData("null", "body").SetName("JSON null");
        // A misspelt or not-yet-existing optional field must not be dropped silently (a misspelt send_at would deliver at once).
        yield return new TestCaseData(Json(new { fiscal_code = NoticeApi.FiscalCode, content = new { subject = "Oggetto valido", markdown = new string('m', 100) }, sendat = "2026-12-24T09:00:00Z" }), "sendat").SetName("unknown member");
        yield return new TestCaseData(Json(new { fiscal_code = NoticeApi.FiscalCode, content = new { subject = "Oggetto valido", markdown = new string('m', 100) }, send_at = DateTimeOffset.UtcNow.AddMinutes(-10) }), "send_at").SetName("send_at in the past");
        yield return new TestCaseData(Json(new { fiscal_code = NoticeApi.FiscalCode, content = new { subject = "Oggetto valido", markdown = new string('m', 100) }, send_at = DateTimeOffset.UtcNow.AddDays(31) }), "send_at").SetName("send_at beyond 30 days");
        yield return new TestCaseData(Json(new { fiscal_code = NoticeApi.FiscalCode, content = new { subject = "Oggetto valido", markdown = new string('m', 100) }, send_at = "domani alle 9" }), "send_at").SetName("send_at not a date-time");
        yield return new TestCaseData(Json(new { fiscal_code = NoticeApi.FiscalCode, content = new { subject = "Oggetto valido", markdown = new string('m', 100), duedate = "2026-12-24" } }), "content.duedate").SetName("unknown nested member");
        yield return new TestCaseData(Json(new { fiscalCode = NoticeApi.FiscalCode, content = new { subject = "Oggetto valido", markdown = new string('m', 100) } }), "fiscalCode").SetName("member spelt in camelCase");
    }

    [TestCaseSource(nameof(InvalidBodies))]
    public async Task Should_answer_400_naming_the_field_and_store_nothing(string body, string field)
    {
        var before = await Platform.Hosts.Database.CountAsync("notices");

        var response = await _service.PostAsync("/api/v1/notices", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before));
    }

    [Test]
    public async Task Should_say_that_an_unknown_member_is_not_a_field()
    {
        var response = await _service.PostAsync("/api/v1/notices", new StringContent(
            Json(new { fiscal_code = NoticeApi.FiscalCode, content = new { subject = "Oggetto valido", markdown = new string('m', 100) }, sendat = "2026-12-24T09:00:00Z" }),
            Encoding.UTF8, "application/json"));

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").GetProperty("sendat")[0].GetString(), Is.EqualTo("is not a field of this request"));
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Unknown field"));
    }

    [Test]
    public async Task Should_refuse_an_unknown_member_in_the_callback_registration_naming_it()
    {
        var response = await _service.PutAsync("/api/v1/callback", new StringContent(
            Json(new { url = "https://example.it/notifiche", secret = new string('s', 40), events = new[] { "SENT" } }), Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").GetProperty("events")[0].GetString(), Is.EqualTo("is not a field of this request"), problem.ToString());
        Assert.That((await _service.GetAsync("/api/v1/callback")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing registered");
    }

    [TestCase("{\"email\": \"a@example.it\", \"emial_verified\": true}", "emial_verified")]
    [TestCase("{\"email\": \"a@example.it\", \"channels\": {\"email\": true, \"pec\": true}}", "channels.pec")]
    [TestCase("{\"email\": 42}", "email")]
    public async Task Should_refuse_a_profile_with_an_unknown_or_mistyped_member_naming_it(string body, string field)
    {
        var response = await Platform.Hosts.Preferences.PutAsync($"/api/v1/profiles/{Citizens.NewFiscalCode()}",
            new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
    }

    [TestCase(" rssmra85t10a562s ")]
    [TestCase("RSSMRA85T10A56NH")]
    [TestCase("RSSMRAURTMLARSNL")]
    public async Task Should_accept_normalisable_and_omocodic_codes(string fiscalCode)
    {
        var id = await NoticeApi.SubmitAsync(_service, NoticeApi.Body($"ok-{Guid.NewGuid():N}@example.it", fiscalCode: fiscalCode));
        Assert.That((await NoticeApi.StatusAsync(_service, id)).GetProperty("id").GetGuid(), Is.EqualTo(id));
    }

    [Test]
    public async Task Should_answer_415_to_a_body_that_is_not_json()
    {
        var before = await Platform.Hosts.Database.CountAsync("notices");
        var response = await _service.PostAsync("/api/v1/notices",
            new StringContent("fiscal_code=RSSMRA85T10A562S", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), Does.Contain("application/json"));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before));
    }

    [Test]
    public async Task Should_answer_413_to_an_oversized_body()
    {
        var body = Json(new { fiscal_code = NoticeApi.FiscalCode, content = new { subject = "Oggetto valido", markdown = new string('m', 70_000) } });
        var response = await _service.PostAsync("/api/v1/notices", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [TestCase(null)]
    [TestCase("ntf_not-a-key-anyone-was-given")]
    public async Task Should_answer_401_without_a_known_api_key(string? key)
    {
        var before = await Platform.Hosts.Database.CountAsync("notices");
        using var anonymous = new HttpClient { BaseAddress = Platform.Hosts.Gateway.BaseAddress };
        if (key is not null)
        {
            anonymous.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        var response = await anonymous.PostAsJsonAsync("/api/v1/notices", NoticeApi.Body("a@example.it"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), Does.Contain("X-Api-Key"));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before));
    }

    [Test]
    public async Task Should_answer_404_to_an_unknown_notice_id()
    {
        var response = await _service.GetAsync($"/api/v1/notices/{Guid.NewGuid()}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
