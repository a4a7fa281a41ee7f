using System.Net;
using Notifiche.Testing;

namespace Notifiche.Client.Tests;

public class Submitting_a_notice_through_the_client
{
    [Test]
    public async Task Should_submit_and_follow_the_notice_to_sent_with_its_audit_trail()
    {
        var client = await Platform.ServiceClientAsync("client-round-trip");
        var submitted = await client.SubmitNoticeAsync(Platform.Notice(Citizens.NewFiscalCode(), "mario.rossi@example.it"));
        Assert.That(submitted.Replayed, Is.False);
        Assert.That(Guid.TryParse(submitted.IdempotencyKey, out _), Is.True, "a key is generated for every call");

        var status = await Eventually.Until(() => client.GetNoticeAsync(submitted.Id), s => s?.Channel("email")?.Status == "SENT",
            TimeSpan.FromSeconds(60), "email SENT");
        Assert.That(status!.Id, Is.EqualTo(submitted.Id));
        Assert.That(status.Status, Is.EqualTo("PROCESSED"));
        Assert.That(status.ContentSha256, Has.Length.EqualTo(64));
        Assert.That(status.ExpiresAt - status.AcceptedAt, Is.EqualTo(TimeSpan.FromHours(1)).Within(TimeSpan.FromSeconds(1)), "time_to_live was sent");

        var events = await client.GetNoticeEventsAsync(submitted.Id);
        Assert.That(events!.NoticeId, Is.EqualTo(submitted.Id));
        Assert.That(events.Events.Select(e => e.Type), Does.Contain("accepted"));
        Assert.That(events.Events.Select(e => e.Sequence), Is.Ordered);
    }

    [Test]
    public async Task Should_give_every_call_its_own_key_and_replay_one_given_again()
    {
        var client = await Platform.ServiceClientAsync("client-keys");
        var notice = Platform.Notice(Citizens.NewFiscalCode(), "anna.bianchi@example.it");
        var first = await client.SubmitNoticeAsync(notice);
        var second = await client.SubmitNoticeAsync(notice);
        Assert.That(second.IdempotencyKey, Is.Not.EqualTo(first.IdempotencyKey));
        Assert.That(second.Id, Is.Not.EqualTo(first.Id), "two calls are two notices");

        var again = await client.SubmitNoticeAsync(notice, first.IdempotencyKey);
        Assert.That(again, Is.EqualTo(first with { Replayed = true }), "the earlier call's key returns its notice");
    }

    [Test]
    public async Task Should_answer_null_for_a_notice_the_service_did_not_send()
    {
        var client = await Platform.ServiceClientAsync("client-unknown");
        Assert.That(await client.GetNoticeAsync(Guid.NewGuid()), Is.Null);
        Assert.That(await client.GetNoticeEventsAsync(Guid.NewGuid()), Is.Null);
    }
}

public class Refused_calls
{
    [Test]
    public async Task Should_surface_a_400_as_an_exception_naming_each_invalid_field_without_retrying_it()
    {
        var transport = new CountingTransport();
        var client = await Platform.ServiceClientAsync("client-invalid", transport);
        var notice = new NewNotice("NOT-A-CODICE", new NoticeContent("", "Testo dell'avviso."))
        {
            DefaultAddresses = new DefaultAddresses("not an address"),
        };

        var refused = Assert.ThrowsAsync<NotificheApiException>(() => client.SubmitNoticeAsync(notice))!;
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(refused.Title, Is.EqualTo("The notice is not valid"));
        Assert.That(refused.Errors.Keys, Is.EquivalentTo(new[] { "fiscal_code", "content.subject", "content.markdown", "default_addresses.email" }));
        Assert.That(refused.Errors["fiscal_code"], Is.Not.Empty);
        Assert.That(refused.Message, Does.Contain("content.subject"));
        Assert.That(transport.Keys, Has.Count.EqualTo(1), "a 400 is not retried");
    }

    [Test]
    public async Task Should_surface_a_refused_key_as_a_401()
    {
        var client = NotificheClient.Create(new NotificheClientOptions
        {
            BaseAddress = Platform.Hosts.Gateway.BaseAddress, ApiKey = "not-a-key-of-any-service-0123456789", Retry = Platform.FastRetry,
        });
        var refused = Assert.ThrowsAsync<NotificheApiException>(() => client.GetNoticeAsync(Guid.NewGuid()))!;
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
