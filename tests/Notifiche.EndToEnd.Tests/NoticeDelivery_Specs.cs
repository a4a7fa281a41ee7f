using System.Net;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

public class Submitting_a_notice_with_a_default_email
{
    private HttpClient _service = null!;

    [OneTimeSetUp]
    public async Task RegisterAsync() => _service = await Platform.Hosts.RegisterServiceAsync("anagrafe-delivery");

    [Test]
    public async Task Should_deliver_exactly_one_email_with_the_rendered_markdown_and_show_it_sent()
    {
        var address = $"citizen-{Guid.NewGuid():N}@example.it";
        var id = await NoticeApi.SubmitAsync(_service, NoticeApi.Body(address));

        var status = await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT");

        Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("PROCESSED"));
        var mails = Platform.Hosts.Smtp.MessagesTo(address);
        Assert.That(mails, Has.Count.EqualTo(1));
        Assert.That(mails[0].Subject, Is.EqualTo("La tua carta d'identità scade tra 30 giorni"));
        Assert.That(mails[0].TextBody, Does.Contain("La tua carta d'identità scade tra 30 giorni"));
        Assert.That(mails[0].TextBody, Does.Contain("Gentile cittadino, la tua carta d'identità scade il 26/12/2026."));
        Assert.That(mails[0].HtmlBody, Does.Contain("<strong>carta d'identità</strong>"));
        Assert.That(mails[0].HtmlBody, Does.Contain("<a href=\"https://example.it/prenota\" rel=\"noopener noreferrer\">prenotazioni</a>"));
        Assert.That(mails[0].HtmlBody, Does.Contain("Anagrafe — Comune di Prova"));
    }

    [Test]
    public async Task Should_reject_an_unknown_citizen_without_default_address_and_send_nothing()
    {
        var subject = $"Avviso {Guid.NewGuid():N}";
        var id = await NoticeApi.SubmitAsync(_service, NoticeApi.Body(subject: subject));

        var status = await Eventually.Until(() => NoticeApi.StatusAsync(_service, id),
            s => s.GetProperty("status").GetString() != "ACCEPTED", what: "routing");

        Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("REJECTED"));
        Assert.That(status.GetProperty("rejection_reason").GetString(), Is.EqualTo("USER_NOT_FOUND"));
        Assert.That(status.GetProperty("channels").GetArrayLength(), Is.Zero);
        Assert.That(Platform.Hosts.Smtp.Messages().Where(m => m.Subject == subject), Is.Empty);
    }

    [Test]
    public async Task Should_expose_the_content_hash_and_timestamps()
    {
        var id = await NoticeApi.SubmitAsync(_service, NoticeApi.Body($"hash-{Guid.NewGuid():N}@example.it"));
        var status = await NoticeApi.StatusAsync(_service, id);

        Assert.That(status.GetProperty("content_sha256").GetString(), Does.Match("^[0-9a-f]{64}$"));
        var accepted = status.GetProperty("accepted_at").GetDateTimeOffset();
        Assert.That(status.GetProperty("expires_at").GetDateTimeOffset(), Is.EqualTo(accepted.AddSeconds(604_800)));
    }

    [Test]
    public async Task Should_declare_the_command_queue_as_a_quorum_queue()
    {
        var queue = await Platform.Hosts.Vhost.QueueAsync("send-email");
        Assert.That(queue.GetProperty("arguments").GetProperty("x-queue-type").GetString(), Is.EqualTo("quorum"));
    }
}

public class Reading_another_services_notice
{
    [Test]
    public async Task Should_answer_404_to_a_service_that_does_not_own_it()
    {
        var owner = await Platform.Hosts.RegisterServiceAsync("owner-service");
        var other = await Platform.Hosts.RegisterServiceAsync("other-service");
        var id = await NoticeApi.SubmitAsync(owner, NoticeApi.Body($"owner-{Guid.NewGuid():N}@example.it"));

        var response = await other.GetAsync($"/api/v1/notices/{id}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await owner.GetAsync($"/api/v1/notices/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
