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

/// <summary>Due-date reminders, scheduled sends, resolve, sensitive and urgent notices (issue 17) through the client.</summary>
public class Reminding_and_resolving_through_the_client
{
    private static readonly TimeZoneInfo Rome = TimeZoneInfo.FindSystemTimeZoneById("Europe/Rome");

    /// <summary>09:00 in Rome, <paramref name="daysBefore"/> days before <paramref name="due"/>: when a PnD reminder is due.</summary>
    private static DateTimeOffset NineInRome(DateOnly due, int daysBefore)
    {
        var nine = due.AddDays(-daysBefore).ToDateTime(new TimeOnly(9, 0));
        return new DateTimeOffset(nine, Rome.GetUtcOffset(nine)).ToUniversalTime();
    }

    [Test]
    public async Task Should_list_the_reminders_in_the_status_and_cancel_them_on_resolve()
    {
        var client = await Platform.ServiceClientAsync("client-reminders");
        var due = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Rome).DateTime).AddDays(10);
        var notice = Platform.Notice(Citizens.NewFiscalCode(), "carla.neri@example.it");
        var submitted = await client.SubmitNoticeAsync(notice with
        {
            Content = notice.Content! with { DueDate = due },
            Reminders = ["P1D", "P7D"],
        });

        // Delivered first, so resolve has only the reminders left to cancel.
        var status = await Eventually.Until(() => client.GetNoticeAsync(submitted.Id), s => s?.Channel("email")?.Status == "SENT",
            TimeSpan.FromSeconds(60), "email SENT");
        Assert.That(status!.Reminders.Select(r => (r.Before, r.SendAt, r.Status)), Is.EqualTo(new[]
        {
            ("P7D", NineInRome(due, 7), "SCHEDULED"),
            ("P1D", NineInRome(due, 1), "SCHEDULED"),
        }), "in delivery order, counted back from 09:00 in Rome");
        Assert.That(status.ResolvedAt, Is.Null);
        var reminder = await client.GetNoticeAsync(status.Reminders[0].Id);
        Assert.That((reminder!.Status, reminder.ReminderOf, reminder.ReminderBefore), Is.EqualTo(("SCHEDULED", (Guid?)submitted.Id, "P7D")));

        var resolved = await client.ResolveNoticeAsync(submitted.Id);
        Assert.That(resolved!.Id, Is.EqualTo(submitted.Id));
        Assert.That(resolved.ResolvedAt, Is.Not.Null);
        Assert.That(resolved.Status, Is.EqualTo("PROCESSED"), "the notice itself was already delivered");
        Assert.That(resolved.Reminders.Select(r => r.Status), Is.EqualTo(new[] { "CANCELLED", "CANCELLED" }));
        Assert.That((await client.GetNoticeAsync(status.Reminders[1].Id))!.Status, Is.EqualTo("CANCELLED"));

        var again = await client.ResolveNoticeAsync(submitted.Id);
        Assert.That(again!.ResolvedAt, Is.EqualTo(resolved.ResolvedAt), "resolving again changes nothing");
        Assert.That(await client.ResolveNoticeAsync(status.Reminders[0].Id), Is.Null, "a reminder is not a notice to resolve");
        Assert.That(await client.ResolveNoticeAsync(Guid.NewGuid()), Is.Null);
    }

    [Test]
    public async Task Should_send_escalation_steps_and_read_each_steps_outcome_and_own_status()
    {
        var client = await Platform.ServiceClientAsync("client-escalation");
        var submitted = await client.SubmitNoticeAsync(Platform.Notice(Citizens.NewFiscalCode(), "carla.neri@example.it") with
        {
            Escalation = [new EscalationStep("PT30M", ["email"])],
        });

        var status = await Eventually.Until(() => client.GetNoticeAsync(submitted.Id), s => s?.Status == "PROCESSED",
            TimeSpan.FromSeconds(60), "routed");
        var step = status!.Escalation.Single();
        Assert.That((step.Step, step.After, step.Channels.Single(), step.Outcome, step.Status), Is.EqualTo((1, "PT30M", "email", "PENDING", "SCHEDULED")));
        Assert.That(step.RunsAt, Is.EqualTo(status.AcceptedAt.AddMinutes(30)));
        var own = await client.GetNoticeAsync(step.Id);
        Assert.That((own!.EscalationOf, own.EscalationStep), Is.EqualTo(((Guid?)submitted.Id, (int?)1)));

        var resolved = await client.ResolveNoticeAsync(submitted.Id);
        Assert.That(resolved!.Escalation.Single().Outcome, Is.EqualTo("CANCELLED"));
    }

    [Test]
    public async Task Should_schedule_a_notice_with_send_at_and_cancel_it_on_resolve()
    {
        var client = await Platform.ServiceClientAsync("client-scheduled");
        var sendAt = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(1).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var submitted = await client.SubmitNoticeAsync(Platform.Notice(Citizens.NewFiscalCode(), "dario.gialli@example.it") with { SendAt = sendAt });

        var status = await client.GetNoticeAsync(submitted.Id);
        Assert.That((status!.Status, status.SendAt), Is.EqualTo(("SCHEDULED", (DateTimeOffset?)sendAt)));

        var resolved = await client.ResolveNoticeAsync(submitted.Id);
        Assert.That(resolved!.Status, Is.EqualTo("CANCELLED"), "resolved while still scheduled");
        Assert.That((await client.GetNoticeAsync(submitted.Id))!.Status, Is.EqualTo("CANCELLED"));
        Assert.That((await client.ListNoticesAsync(new NoticeQuery { Status = "CANCELLED" })).Items.Select(n => n.Id), Is.EqualTo(new[] { submitted.Id }));
    }

    [Test]
    public async Task Should_send_a_sensitive_notice_without_its_content_and_say_so_in_the_status()
    {
        var client = await Platform.ServiceClientAsync("client-sensitive");
        var email = $"sensitive-{Guid.NewGuid():N}@example.it";
        var submitted = await client.SubmitNoticeAsync(Platform.Notice(Citizens.NewFiscalCode(), email) with { Sensitive = true });

        var status = await Eventually.Until(() => client.GetNoticeAsync(submitted.Id), s => s?.Channel("email")?.Status == "SENT",
            TimeSpan.FromSeconds(60), "email SENT");
        Assert.That(status!.Sensitive, Is.True);
        var mail = Platform.Hosts.Smtp.MessagesTo(email).Single();
        Assert.That(mail.Subject, Does.StartWith("Nuovo avviso riservato"));
        Assert.That(mail.Subject + mail.TextBody + mail.HtmlBody, Does.Not.Contain("carta di identità").And.Not.Contain("sito del Comune"),
            "only a pointer to the inbox");
    }

    [Test]
    public async Task Should_hold_a_notice_until_the_citizen_registers_and_then_send_it()
    {
        var client = await Platform.ServiceClientAsync("client-held");
        var citizen = Citizens.NewFiscalCode();
        var email = $"held-{Guid.NewGuid():N}@example.it";
        var submitted = await client.SubmitNoticeAsync(Platform.Notice(citizen) with { HoldUntilRegistered = true });

        var held = await Eventually.Until(() => client.GetNoticeAsync(submitted.Id), s => s?.Status != "ACCEPTED", TimeSpan.FromSeconds(60), "routed");
        Assert.That((held!.Status, held.RejectionReason), Is.EqualTo(("HELD", (string?)null)));

        await Platform.AppBackendClient().PutProfileAsync(citizen, new ProfileUpdate { Email = email, EmailVerified = true });
        await Eventually.Until(() => client.GetNoticeAsync(submitted.Id), s => s?.Channel("email")?.Status == "SENT", TimeSpan.FromSeconds(60), "email SENT");
        Assert.That(Platform.Hosts.Smtp.MessagesTo(email), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Should_send_urgent_so_a_service_without_the_permission_is_refused_naming_it()
    {
        var client = await Platform.ServiceClientAsync("client-urgent");
        var refused = Assert.ThrowsAsync<NotificheApiException>(() =>
            client.SubmitNoticeAsync(Platform.Notice(Citizens.NewFiscalCode(), "elena.rosa@example.it") with { Urgent = true }))!;
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(refused.Errors.Keys, Does.Contain("urgent"));
    }
}
