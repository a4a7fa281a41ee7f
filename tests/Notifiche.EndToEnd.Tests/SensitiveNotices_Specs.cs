using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MimeKit;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Sensitive notices (issue 17, point 7) on the real stack: email, SMS and push say only that a notice from the
/// administration is waiting in the inbox — no subject, no content — and the inbox has the whole notice; a citizen can
/// ask for that for every notice in the profile (<c>content_only_in_inbox</c>).
/// </summary>
public class Notifying_a_sensitive_notice
{
    private const string Subject = "Esito del test sierologico disponibile";
    private const string Markdown = "Gentile cittadino, l'esito del tuo **test sierologico** del 28/11/2026 è disponibile: risultato NEGATIVO.\n\nPer domande chiama il tuo medico.";
    private const string Organization = "Comune di Prova"; // every test service's administration (ServiceOnboarding)
    private HttpClient _service = null!;

    [OneTimeSetUp]
    public async Task RegisterAsync() => _service = await Platform.Hosts.RegisterServiceAsync("asl-referti", "email", "sms", "push");

    private static async Task<(string FiscalCode, string Email, string Phone)> CitizenAsync(string language = "it", bool contentOnlyInInbox = false)
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var email = $"{fiscalCode.ToLowerInvariant()}@example.it";
        var phone = $"+39346{Math.Abs(fiscalCode.GetHashCode()) % 10_000_000:0000000}";
        var response = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", new
        {
            email, email_verified = true, phone, push_tokens = new[] { $"device-{fiscalCode}" }, language,
            content_only_in_inbox = contentOnlyInInbox,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var profile = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(profile.GetProperty("content_only_in_inbox").GetBoolean(), Is.EqualTo(contentOnlyInInbox));
        return (fiscalCode, email, phone);
    }

    private static JsonObject Notice(string fiscalCode, bool? sensitive) => new()
    {
        ["fiscal_code"] = fiscalCode,
        ["content"] = new JsonObject { ["subject"] = Subject, ["markdown"] = Markdown, ["due_date"] = "2026-12-31" },
        ["sensitive"] = sensitive,
    };

    private static async Task<(MimeMessage Email, TwilioRequest Sms, FcmRequest Push)> DeliveredAsync(HttpClient service, Guid id, string email, string phone)
    {
        await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT");
        await NoticeApi.WaitForChannelAsync(service, id, "sms", "SENT");
        await NoticeApi.WaitForChannelAsync(service, id, "push", "SENT");
        return (Platform.Hosts.Smtp.MessagesTo(email).Single(), Platform.Hosts.Twilio.Accepted.Single(r => r.To == phone),
            Platform.Hosts.Fcm.Requests.Last(r => r.NoticeId == id.ToString()));
    }

    private static void AssertNothingOfTheContentIn(string text, string channel)
    {
        Assert.That(text, Does.Not.Contain("sierologico").And.Not.Contain("NEGATIVO").And.Not.Contain("medico").And.Not.Contain("12/2026").And.Not.Contain("2026-12-31"),
            $"the {channel} carries nothing of the notice but who sent it");
    }

    private static async Task AssertTheInboxHasTheWholeNoticeAsync(string fiscalCode, Guid id)
    {
        var notice = await Platform.Hosts.Inbox.GetFromJsonAsync<JsonElement>($"/api/v1/inbox/{fiscalCode}/notices/{id}");
        Assert.That(notice.GetProperty("subject").GetString(), Is.EqualTo(Subject));
        Assert.That(notice.ToString(), Does.Contain("NEGATIVO"), "the full content is in the inbox");
    }

    [Test]
    public async Task Should_say_only_that_a_notice_from_the_administration_waits_in_the_inbox()
    {
        var (fiscalCode, email, phone) = await CitizenAsync();

        var id = await NoticeApi.SubmitAsync(_service, Notice(fiscalCode, sensitive: true));

        var (mail, sms, push) = await DeliveredAsync(_service, id, email, phone);
        Assert.That(mail.Subject, Is.EqualTo($"Nuovo avviso riservato: {Organization}"));
        Assert.That(mail.TextBody, Does.Contain(Organization).And.Contain("casella degli avvisi"));
        AssertNothingOfTheContentIn(mail.Subject + mail.TextBody + mail.HtmlBody, "email");
        Assert.That(sms.Body, Does.Contain(Organization));
        AssertNothingOfTheContentIn(sms.Body, "SMS");
        AssertNothingOfTheContentIn(push.Title + push.Body, "push");
        Assert.That((await NoticeApi.StatusAsync(_service, id)).GetProperty("sensitive").GetBoolean(), Is.True);
        await AssertTheInboxHasTheWholeNoticeAsync(fiscalCode, id);
    }

    [Test]
    public async Task Should_treat_every_notice_so_for_a_citizen_who_asked_for_it_in_their_language()
    {
        var (fiscalCode, email, phone) = await CitizenAsync(language: "en", contentOnlyInInbox: true);

        var id = await NoticeApi.SubmitAsync(_service, Notice(fiscalCode, sensitive: null));

        var (mail, sms, push) = await DeliveredAsync(_service, id, email, phone);
        Assert.That(mail.Subject, Is.EqualTo($"New confidential notice: {Organization}"));
        Assert.That(mail.TextBody, Does.Contain("inbox"));
        AssertNothingOfTheContentIn(mail.Subject + mail.TextBody + mail.HtmlBody, "email");
        Assert.That(sms.Body, Does.Contain(Organization));
        AssertNothingOfTheContentIn(sms.Body, "SMS");
        AssertNothingOfTheContentIn(push.Title + push.Body, "push");
        Assert.That((await NoticeApi.StatusAsync(_service, id)).GetProperty("sensitive").GetBoolean(), Is.False, "the service did not mark it");
        await AssertTheInboxHasTheWholeNoticeAsync(fiscalCode, id);
    }

    [Test]
    public async Task Should_still_carry_the_subject_of_a_notice_nobody_marked()
    {
        var (fiscalCode, email, phone) = await CitizenAsync();

        var id = await NoticeApi.SubmitAsync(_service, Notice(fiscalCode, sensitive: false));

        var (mail, sms, _) = await DeliveredAsync(_service, id, email, phone);
        Assert.That(mail.Subject, Is.EqualTo(Subject));
        Assert.That(sms.Body, Does.Contain("sierologico"));
    }
}
