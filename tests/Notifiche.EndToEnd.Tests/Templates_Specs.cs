using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Templates (issue 18, point 5): a service registers a template with <c>((placeholder))</c> fields per language and sends
/// notices with <c>template_id</c> + <c>personalisation</c>; the gateway renders every language at acceptance, and each
/// citizen gets their profile's language (Italian when the template lacks it), by email and in the inbox.
/// </summary>
public class Sending_a_notice_from_a_template
{
    private const string ItalianSubject = "Bollo auto per ((targa)) in scadenza";
    private const string GermanSubject = "Kfz-Steuer für ((targa)) bald fällig";

    private static object Template(string suffix = "", bool german = true) => new
    {
        name = "Bollo auto in scadenza",
        languages = new Dictionary<string, object>
        {
            ["it"] = new
            {
                subject = ItalianSubject,
                markdown = $"Gentile **((nome))**, il bollo auto del veicolo targato ((targa)) scade il ((scadenza)).{suffix}\n\nPuoi pagarlo su [pagoPA](https://example.it/pagopa).",
            },
            ["de"] = german
                ? new
                {
                    subject = GermanSubject,
                    markdown = $"Sehr geehrte(r) **((nome))**, die Kfz-Steuer für das Fahrzeug ((targa)) ist am ((scadenza)) fällig.{suffix}\n\nZahlung über [pagoPA](https://example.it/pagopa).",
                }
                : null!,
        }.Where(l => l.Value is not null).ToDictionary(),
    };

    private static readonly Dictionary<string, string> Values = new() { ["nome"] = "Maria Rossi", ["targa"] = "AB123CD", ["scadenza"] = "31/01/2027" };

    private static async Task<Guid> CreateTemplateAsync(HttpClient service, object template)
    {
        var response = await service.PostAsJsonAsync("/api/v1/templates", template);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.Location?.ToString(), Does.StartWith("/api/v1/templates/"));
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<(string FiscalCode, string Email)> CreateProfileAsync(string language)
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var email = $"template-{fiscalCode.ToLowerInvariant()}@example.it";
        var response = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", new
        {
            email, email_verified = true, language, channels = new { email = true, sms = false, push = false },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (fiscalCode, email);
    }

    private static async Task<JsonElement> InboxNoticeAsync(string fiscalCode, Guid id)
    {
        var list = await Platform.Hosts.Inbox.GetFromJsonAsync<JsonElement>($"/api/v1/inbox/{fiscalCode}/notices");
        var item = list.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetGuid() == id);
        var notice = await Platform.Hosts.Inbox.GetFromJsonAsync<JsonElement>($"/api/v1/inbox/{fiscalCode}/notices/{id}");
        Assert.That(item.GetProperty("subject").GetString(), Is.EqualTo(notice.GetProperty("subject").GetString()), "the list shows the same language");
        return notice;
    }

    /// <summary>A new service's template (it, de) sent to a new citizen whose profile has <paramref name="language"/>, once its email is SENT.</summary>
    private static async Task<(Guid Template, string FiscalCode, Guid Id, JsonElement Status, MimeKit.MimeMessage Mail)> SendToCitizenAsync(string language)
    {
        var service = await Platform.Hosts.RegisterServiceAsync($"tributi-template-{language}");
        var template = await CreateTemplateAsync(service, Template());
        var (fiscalCode, email) = await CreateProfileAsync(language);

        var id = await NoticeApi.SubmitAsync(service, new { fiscal_code = fiscalCode, template_id = template, personalisation = Values });

        var status = await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT");
        return (template, fiscalCode, id, status, Platform.Hosts.Smtp.MessagesTo(email).Single());
    }

    [Test]
    public async Task Should_send_a_german_speaking_citizen_the_german_variant_by_email_and_in_the_inbox()
    {
        var (template, fiscalCode, id, status, mail) = await SendToCitizenAsync("de");

        Assert.That(mail.Subject, Is.EqualTo("Kfz-Steuer für AB123CD bald fällig"));
        Assert.That(mail.TextBody, Does.Contain("die Kfz-Steuer für das Fahrzeug AB123CD ist am 31/01/2027 fällig"));
        Assert.That(mail.HtmlBody, Does.Contain("<strong>Maria Rossi</strong>"));
        Assert.That(status.GetProperty("template").GetProperty("id").GetGuid(), Is.EqualTo(template));
        Assert.That(status.GetProperty("template").GetProperty("version").GetInt32(), Is.EqualTo(1));
        Assert.That(status.GetProperty("template").GetProperty("language").GetString(), Is.EqualTo("de"));
        var hashes = status.GetProperty("template").GetProperty("variants");
        Assert.That(hashes.GetProperty("it").GetString(), Is.EqualTo(status.GetProperty("content_sha256").GetString()));

        var inbox = await InboxNoticeAsync(fiscalCode, id);
        Assert.That(inbox.GetProperty("subject").GetString(), Is.EqualTo("Kfz-Steuer für AB123CD bald fällig"));
        Assert.That(inbox.GetProperty("html").GetString(), Does.Contain("<strong>Maria Rossi</strong>, die Kfz-Steuer"));
        Assert.That(inbox.GetProperty("language").GetString(), Is.EqualTo("de"));
        Assert.That(inbox.GetProperty("content_sha256").GetString(), Is.EqualTo(hashes.GetProperty("de").GetString()),
            "the German content is hashed as rendered");
        Assert.That(hashes.GetProperty("de").GetString(), Is.Not.EqualTo(hashes.GetProperty("it").GetString()));
    }

    [Test]
    public async Task Should_send_italian_to_a_citizen_whose_language_the_template_does_not_have()
    {
        var (_, fiscalCode, id, status, mail) = await SendToCitizenAsync("en");

        Assert.That(mail.Subject, Is.EqualTo("Bollo auto per AB123CD in scadenza"));
        Assert.That(mail.TextBody, Does.Contain("il bollo auto del veicolo targato AB123CD scade il 31/01/2027"));
        Assert.That(status.GetProperty("template").GetProperty("language").GetString(), Is.EqualTo("it"));
        var inbox = await InboxNoticeAsync(fiscalCode, id);
        Assert.That(inbox.GetProperty("subject").GetString(), Is.EqualTo("Bollo auto per AB123CD in scadenza"));
        Assert.That(inbox.GetProperty("language").GetString(), Is.EqualTo("it"));
        Assert.That(inbox.GetProperty("content_sha256").GetString(), Is.EqualTo(status.GetProperty("content_sha256").GetString()));
    }

    [Test]
    public async Task Should_answer_400_naming_each_missing_placeholder_and_store_nothing()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("tributi-template-missing");
        var template = await CreateTemplateAsync(service, Template());
        var other = await Platform.Hosts.RegisterServiceAsync("tributi-template-other");
        var othersTemplate = await CreateTemplateAsync(other, Template());
        var fiscalCode = Citizens.NewFiscalCode();

        var missing = await ProblemAsync(service, new { fiscal_code = fiscalCode, template_id = template, personalisation = new { targa = "AB123CD" } });
        Assert.That(missing.EnumerateObject().Select(e => e.Name), Is.EquivalentTo(new[] { "personalisation.nome", "personalisation.scadenza" }));

        var unknown = await ProblemAsync(service, new { fiscal_code = fiscalCode, template_id = template, personalisation = Values.Append(new("tagra", "x")).ToDictionary() });
        Assert.That(unknown.TryGetProperty("personalisation.tagra", out _), Is.True, unknown.ToString());
        var multiline = await ProblemAsync(service, new { fiscal_code = fiscalCode, template_id = template, personalisation = Values.Select(v => v.Key == "nome" ? new(v.Key, "Maria\nRossi") : v).ToDictionary() });
        Assert.That(multiline.TryGetProperty("personalisation.nome", out _), Is.True, multiline.ToString());
        var tooLong = await ProblemAsync(service, new { fiscal_code = fiscalCode, template_id = template, personalisation = Values.Select(v => v.Key == "nome" ? new(v.Key, new string('x', 501)) : v).ToDictionary() });
        Assert.That(tooLong.TryGetProperty("personalisation.nome", out _), Is.True, tooLong.ToString());
        Assert.That((await ProblemAsync(service, new { fiscal_code = fiscalCode, template_id = othersTemplate, personalisation = Values })).TryGetProperty("template_id", out _),
            Is.True, "another service's template is unknown here");
        Assert.That((await ProblemAsync(service, new { fiscal_code = fiscalCode, template_id = Guid.NewGuid(), personalisation = Values })).TryGetProperty("template_id", out _), Is.True);
        Assert.That((await ProblemAsync(service, new
        {
            fiscal_code = fiscalCode, template_id = template, personalisation = Values,
            content = new { subject = "Un oggetto qualunque", markdown = new string('x', 90) },
        })).TryGetProperty("content", out _), Is.True, "content and template_id together");
        Assert.That((await ProblemAsync(service, new { fiscal_code = fiscalCode, personalisation = Values })).TryGetProperty("personalisation", out _), Is.True);

        var listed = await service.GetFromJsonAsync<JsonElement>("/api/v1/notices");
        Assert.That(listed.GetProperty("items").GetArrayLength(), Is.Zero, "nothing stored");
    }

    [Test]
    public async Task Should_preview_a_template_with_sample_values_as_the_inbox_shows_it()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("tributi-template-preview");
        var template = await CreateTemplateAsync(service, Template());
        var sample = new Dictionary<string, string>(Values) { ["nome"] = "[Maria](javascript:alert(1)) *Rossi*" };

        var response = await service.PostAsJsonAsync($"/api/v1/templates/{template}/preview", new { personalisation = sample, language = "de" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var preview = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(preview.GetProperty("subject").GetString(), Is.EqualTo("Kfz-Steuer für AB123CD bald fällig"));
        Assert.That(preview.GetProperty("language").GetString(), Is.EqualTo("de"));
        var html = preview.GetProperty("html").GetString();
        Assert.That(html, Does.Contain("<strong>[Maria](javascript:alert(1)) *Rossi*</strong>"), "a value is text, never Markdown");
        Assert.That(html, Does.Contain("<a href=\"https://example.it/pagopa\" rel=\"noopener noreferrer\">pagoPA</a>"), "the inbox's safe HTML");

        var french = await ProblemAsync(service, new { personalisation = Values, language = "fr" }, $"/api/v1/templates/{template}/preview");
        Assert.That(french.TryGetProperty("language", out _), Is.True, french.ToString());
        var missing = await ProblemAsync(service, new { personalisation = new { nome = "Maria" } }, $"/api/v1/templates/{template}/preview");
        Assert.That(missing.EnumerateObject().Select(e => e.Name), Is.EquivalentTo(new[] { "personalisation.targa", "personalisation.scadenza" }));
        var other = await Platform.Hosts.RegisterServiceAsync("tributi-template-preview-other");
        Assert.That((await other.PostAsJsonAsync($"/api/v1/templates/{template}/preview", new { personalisation = Values })).StatusCode,
            Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Should_keep_an_accepted_notice_as_it_was_rendered_when_the_template_changes()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("tributi-template-update");
        var template = await CreateTemplateAsync(service, Template());
        var (fiscalCode, email) = await CreateProfileAsync("de");
        // Scheduled a few seconds ahead, so the template changes before the notice is routed and sent.
        var first = await NoticeApi.SubmitAsync(service, new
        {
            fiscal_code = fiscalCode, template_id = template, personalisation = Values, send_at = DateTimeOffset.UtcNow.AddSeconds(5),
        });
        var accepted = await NoticeApi.StatusAsync(service, first);

        var updated = await service.PutAsJsonAsync($"/api/v1/templates/{template}", Template(" Versione due."));
        Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.OK), await updated.Content.ReadAsStringAsync());
        Assert.That((await updated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32(), Is.EqualTo(2));

        var sent = await NoticeApi.WaitForChannelAsync(service, first, "email", "SENT", TimeSpan.FromSeconds(60));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(email).Single().TextBody, Does.Not.Contain("Versione"));
        Assert.That(sent.GetProperty("template").GetProperty("version").GetInt32(), Is.EqualTo(1));
        Assert.That(sent.GetProperty("content_sha256").GetString(), Is.EqualTo(accepted.GetProperty("content_sha256").GetString()));
        Assert.That((await InboxNoticeAsync(fiscalCode, first)).GetProperty("markdown").GetString(), Does.Not.Contain("Versione"));

        // The next notice is rendered from version 2; deleting the template leaves both notices as they are.
        var second = await NoticeApi.SubmitAsync(service, new { fiscal_code = fiscalCode, template_id = template, personalisation = Values });
        await NoticeApi.WaitForChannelAsync(service, second, "email", "SENT");
        Assert.That((await InboxNoticeAsync(fiscalCode, second)).GetProperty("markdown").GetString(), Does.Contain("Versione due."));
        Assert.That((await service.DeleteAsync($"/api/v1/templates/{template}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await service.GetAsync($"/api/v1/templates/{template}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await InboxNoticeAsync(fiscalCode, first)).GetProperty("subject").GetString(), Is.EqualTo("Kfz-Steuer für AB123CD bald fällig"));
    }

    [Test]
    public async Task Should_log_no_placeholder_value_accepted_or_refused()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("tributi-template-privacy");
        var template = await CreateTemplateAsync(service, Template());
        var (fiscalCode, _) = await CreateProfileAsync("de");
        var name = $"Persona {Guid.NewGuid():N}";
        var refused = $"Rifiutata {Guid.NewGuid():N}";

        var id = await NoticeApi.SubmitAsync(service, new { fiscal_code = fiscalCode, template_id = template, personalisation = Values.Select(v => v.Key == "nome" ? new(v.Key, name) : v).ToDictionary() });
        await ProblemAsync(service, new { fiscal_code = fiscalCode, template_id = template, personalisation = new { nome = refused } });
        await ProblemAsync(service, new { personalisation = new { nome = refused, targa = "AB123CD" } }, $"/api/v1/templates/{template}/preview");
        await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT");

        var lines = LogCapture.Instance.Lines.ToList();
        Assert.That(lines, Is.Not.Empty);
        Assert.That(lines.Where(l => l.Contains(name, StringComparison.Ordinal) || l.Contains(refused, StringComparison.Ordinal)), Is.Empty);
    }

    private static async Task<JsonElement> ProblemAsync(HttpClient service, object body, string path = "/api/v1/notices")
    {
        var response = await service.PostAsJsonAsync(path, body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }
}

public class Managing_templates
{
    [Test]
    public async Task Should_list_show_and_keep_a_services_templates_to_itself()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("anagrafe-templates");
        var other = await Platform.Hosts.RegisterServiceAsync("anagrafe-templates-other");
        var created = await service.PostAsJsonAsync("/api/v1/templates", new
        {
            name = "Carta d'identità",
            languages = new
            {
                it = new { subject = "La carta d'identità di ((nome)) scade", markdown = "La tua carta d'identità scade il ((data)): prenota il rinnovo." },
                sl = new { subject = "Osebna izkaznica ((nome)) poteče", markdown = "Vaša osebna izkaznica poteče ((data))." },
            },
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var template = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = template.GetProperty("id").GetGuid();
        Assert.That(template.GetProperty("placeholders").EnumerateArray().Select(p => p.GetString()), Is.EqualTo(new[] { "nome", "data" }));
        Assert.That(template.GetProperty("languages").EnumerateObject().Select(l => l.Name), Is.EqualTo(new[] { "it", "sl" }));

        var listed = await service.GetFromJsonAsync<JsonElement>("/api/v1/templates");
        Assert.That(listed.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetGuid()), Is.EqualTo(new[] { id }));
        Assert.That((await other.GetFromJsonAsync<JsonElement>("/api/v1/templates")).GetProperty("items").GetArrayLength(), Is.Zero);
        Assert.That((await other.GetAsync($"/api/v1/templates/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await other.PutAsJsonAsync($"/api/v1/templates/{id}", new { name = "x", languages = new { it = new { subject = "s", markdown = "m" } } })).StatusCode,
            Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await other.DeleteAsync($"/api/v1/templates/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await service.GetAsync($"/api/v1/templates/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "still there");
    }

    [TestCase("no-italian", "languages.it")]
    [TestCase("bad-name", "languages.it.markdown")]
    [TestCase("too-many", "languages")]
    [TestCase("too-long", "languages.de.markdown")]
    [TestCase("unknown-language", "languages.es")]
    [TestCase("control", "languages.it.subject")]
    public async Task Should_answer_400_naming_the_field_for_a_bad_template(string what, string field)
    {
        var service = await Platform.Hosts.RegisterServiceAsync($"anagrafe-templates-bad-{what}");
        var it = new { subject = "Avviso per ((nome))", markdown = "Gentile ((nome)), ecco il tuo avviso." };
        object body = what switch
        {
            "no-italian" => new { name = "t", languages = new { de = it } },
            "bad-name" => new { name = "t", languages = new { it = new { it.subject, markdown = "Gentile ((Nome Cognome)), ecco." } } },
            "too-many" => new { name = "t", languages = new { it = new { it.subject, markdown = string.Concat(Enumerable.Range(0, 21).Select(i => $"((campo_{i})) ")) } } },
            "too-long" => new { name = "t", languages = new { it, de = new { it.subject, markdown = new string('x', 10_001) } } },
            "unknown-language" => new { name = "t", languages = new { it, es = it } },
            _ => new { name = "t", languages = new { it = new { subject = "Avviso\u202E((nome))", it.markdown } } },
        };

        var response = await service.PostAsJsonAsync("/api/v1/templates", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
        Assert.That((await service.GetFromJsonAsync<JsonElement>("/api/v1/templates")).GetProperty("items").GetArrayLength(), Is.Zero, "nothing stored");
    }
}
