using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Contracts;
using Notifiche.Dispatch.Ledger;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Status;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>Commands for the dispatchers, as Preferences routes them.</summary>
public static class Commands
{
    public static SendEmail Email(Guid noticeId, string to) => new()
    {
        NoticeId = noticeId, To = to, Subject = "La tua carta d'identità scade", Markdown = "Prenota il rinnovo.", ServiceName = "Anagrafe",
        OrganizationName = "Comune di Prova", ExpiresAt = DateTimeOffset.UtcNow.AddDays(7),
    };

    public static SendSms Sms(string phone) => new()
    {
        NoticeId = Guid.NewGuid(), ServiceId = "tributi", ServiceName = "Tributi", PhoneNumber = phone, Subject = "Il bollo auto scade il 31/01",
        ExpiresAt = DateTimeOffset.UtcNow.AddDays(7),
    };

    public static SendPush Push(params string[] tokens) => new()
    {
        NoticeId = Guid.NewGuid(), ServiceId = "asl", ServiceName = "ASL", DeviceTokens = tokens, Subject = "Il tuo referto è pronto",
        ExpiresAt = DateTimeOffset.UtcNow.AddDays(7),
    };

    public static string NewPhone() => $"+39347{Random.Shared.Next(1_000_000, 9_999_999)}";
}

public class Delivering_the_same_sms_twice
{
    [Test]
    public async Task Should_reach_the_provider_once_and_report_sent_for_both()
    {
        using var sms = new DispatchProbe("Notifiche.Dispatch.Sms", Platform.Hosts.SmsDispatchDatabase);
        var command = Commands.Sms(Commands.NewPhone());

        // Two copies at once (a duplicate publish): one calls the provider, the other waits for it and replays its outcome.
        await Task.WhenAll(sms.Bus.Publish(command), sms.Bus.Publish(command));

        await Eventually.Holds(() => sms.Sent.Count(s => s.NoticeId == command.NoticeId) == 2, TimeSpan.FromSeconds(30), "sent reported for both copies");
        var sent = sms.Sent.Where(s => s.NoticeId == command.NoticeId).ToList();
        var row = (await sms.RowsAsync(command.NoticeId)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(Platform.Hosts.Twilio.Accepted.Count(r => r.To == command.PhoneNumber), Is.EqualTo(1), "one SMS, one bill");
            Assert.That(sent.Select(s => s.ProviderMessageId).Distinct().Single(), Does.StartWith("SM"), "the same provider id twice");
            Assert.That(sent.Select(s => s.Segments), Is.All.EqualTo(1));
            Assert.That(row.State, Is.EqualTo("SENT"));
            Assert.That(row.ProviderMessageId, Is.EqualTo(sent[0].ProviderMessageId));
            Assert.That(row.AddressKey, Does.Not.Contain(command.PhoneNumber[1..]), "a pseudonym, never the number");
        });
    }
}

public class Redelivering_an_email_already_sent
{
    [Test]
    public async Task Should_replay_sent_without_a_second_email()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("anagrafe-ledger-replay");
        using var email = new DispatchProbe("Notifiche.Dispatch.Email", Platform.Hosts.EmailDispatchDatabase);
        var address = $"replay-{Guid.NewGuid():N}@example.it";
        var id = await NoticeApi.SubmitAsync(service, NoticeApi.Body(address));
        await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT");

        await email.Bus.Publish(Commands.Email(id, address));

        await Eventually.Holds(() => email.Sent.Count(s => s.NoticeId == id) == 2, TimeSpan.FromSeconds(30), "sent reported for the redelivery too");
        var status = await NoticeApi.StatusAsync(service, id);
        Assert.Multiple(() =>
        {
            Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Has.Count.EqualTo(1));
            Assert.That(email.Sent.Where(s => s.NoticeId == id).Select(s => s.ProviderMessageId).Distinct(), Is.EqualTo(new[] { $"{id:N}.email@notifiche.example.it" }),
                "the first send's Message-Id, twice");
            Assert.That(NoticeApi.ChannelStatus(status, "email"), Is.EqualTo("SENT"));
        });
    }
}

public class Redelivering_an_email_whose_attempt_died_mid_send
{
    [Test]
    public async Task Should_not_call_the_provider_and_fail_visibly_as_outcome_unknown()
    {
        const string dispatcher = "Notifiche.Dispatch.Email";
        var service = await Platform.Hosts.RegisterServiceAsync("anagrafe-ledger-unknown");
        var address = $"unknown-{Guid.NewGuid():N}@example.it";
        await Platform.Hosts.StopServiceAsync(dispatcher);
        Guid id;
        try
        {
            // The command waits in send-email while the record says an attempt claimed it and never finished (a crash).
            id = await NoticeApi.SubmitAsync(service, NoticeApi.Body(address));
            await DispatchProbe.InsertAsync(Platform.Hosts.EmailDispatchDatabase, id, Channels.Email, address, "SENDING");
        }
        finally
        {
            await Platform.Hosts.StartServiceAsync(dispatcher);
        }

        var status = await NoticeApi.WaitForChannelAsync(service, id, "email", "FAILED", TimeSpan.FromSeconds(60));
        using var email = new DispatchProbe(dispatcher, Platform.Hosts.EmailDispatchDatabase);
        var row = (await email.RowsAsync(id)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(status.GetProperty("channels")[0].GetProperty("reason").GetString(), Does.Contain(DispatchLedger.OutcomeUnknown));
            Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Is.Empty, "the provider was not called again");
            Assert.That(row.State, Is.EqualTo("FAILED"));
            Assert.That(row.Reason, Is.EqualTo(DispatchLedger.OutcomeUnknown));
        });
    }
}

public class An_sms_provider_failing_then_accepting
{
    [TearDown]
    public void Reset() => Platform.Hosts.Twilio.Answer = (_, _) => null;

    [Test]
    public async Task Should_release_the_claim_on_a_transient_failure_and_send_once_when_it_accepts()
    {
        using var sms = new DispatchProbe("Notifiche.Dispatch.Sms", Platform.Hosts.SmsDispatchDatabase);
        var command = Commands.Sms(Commands.NewPhone());
        var failures = 0;
        // More failures than one call's own HTTP retries: the whole call fails, and the command is retried.
        Platform.Hosts.Twilio.Answer = (r, _) => r.To == command.PhoneNumber && Interlocked.Increment(ref failures) <= 6
            ? TwilioAnswer.Error(503, 20503)
            : null;

        await sms.Bus.Publish(command);

        await Eventually.Holds(() => sms.Sent.Any(s => s.NoticeId == command.NoticeId), TimeSpan.FromSeconds(60), "sent once the provider accepts");
        var row = (await sms.RowsAsync(command.NoticeId)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(Platform.Hosts.Twilio.Requests.Count(r => r.To == command.PhoneNumber), Is.GreaterThan(6), "the provider was really down");
            Assert.That(Platform.Hosts.Twilio.Accepted.Count(r => r.To == command.PhoneNumber), Is.EqualTo(1));
            Assert.That(sms.Sent.Count(s => s.NoticeId == command.NoticeId), Is.EqualTo(1));
            Assert.That(row.State, Is.EqualTo("SENT"));
            Assert.That(row.ProviderMessageId, Is.EqualTo(sms.Sent.Single(s => s.NoticeId == command.NoticeId).ProviderMessageId));
        });
    }
}

public class Redelivering_a_push_one_of_whose_devices_already_got_it
{
    [Test]
    public async Task Should_send_only_to_the_other_device()
    {
        using var push = new DispatchProbe("Notifiche.Dispatch.Push", Platform.Hosts.PushDispatchDatabase);
        var done = $"device-done-{Guid.NewGuid():N}";
        var pending = $"device-pending-{Guid.NewGuid():N}";
        var command = Commands.Push(done, pending);
        await DispatchProbe.InsertAsync(Platform.Hosts.PushDispatchDatabase, command.NoticeId, Channels.Push, done, "SENT", "projects/notifiche-test/messages/earlier");

        await push.Bus.Publish(command);

        await Eventually.Holds(() => push.Sent.Any(s => s.NoticeId == command.NoticeId), TimeSpan.FromSeconds(30), "push sent");
        var sent = push.Sent.Single(s => s.NoticeId == command.NoticeId);
        var rows = await push.RowsAsync(command.NoticeId);
        Assert.Multiple(() =>
        {
            Assert.That(Platform.Hosts.Fcm.Delivered.Where(r => r.NoticeId == command.NoticeId.ToString()).Select(r => r.Token), Is.EqualTo(new[] { pending }));
            Assert.That(sent.ProviderMessageId!.Split(' '), Has.Length.EqualTo(2).And.Contains("projects/notifiche-test/messages/earlier"));
            Assert.That(rows.Select(r => r.State), Is.EqualTo(new[] { "SENT", "SENT" }));
        });
    }
}

public class A_dispatcher_losing_its_database_connections_while_the_provider_answers
{
    [TearDown]
    public void Reset() => Platform.Hosts.Twilio.Answer = (_, _) => null;

    [Test]
    public async Task Should_record_sent_on_a_new_connection_and_send_once()
    {
        using var sms = new DispatchProbe("Notifiche.Dispatch.Sms", Platform.Hosts.SmsDispatchDatabase);
        var command = Commands.Sms(Commands.NewPhone());
        // Longer than a third of the ledger's lease: the claim is renewed during the call, on a connection that is gone.
        Platform.Hosts.Twilio.Answer = (r, _) => r.To == command.PhoneNumber ? TwilioAnswer.Created($"SM{Guid.NewGuid():N}") with { Delay = TimeSpan.FromSeconds(6) } : null;

        await sms.Bus.Publish(command);
        await Eventually.Holds(() => Platform.Hosts.Twilio.Requests.Any(r => r.To == command.PhoneNumber), TimeSpan.FromSeconds(30), "the provider call under way");
        var terminated = await Platform.Hosts.SmsDispatchDatabase.TerminateConnectionsAsync();

        await Eventually.Holds(() => sms.Sent.Any(s => s.NoticeId == command.NoticeId) || sms.Failed.Any(f => f.NoticeId == command.NoticeId),
            TimeSpan.FromSeconds(60), "an outcome");
        await Task.Delay(TimeSpan.FromSeconds(2)); // room for a (wrong) second attempt to show
        var row = (await sms.RowsAsync(command.NoticeId)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(terminated, Is.GreaterThan(0), "the dispatcher had connections open to lose");
            Assert.That(sms.Sent.Count(s => s.NoticeId == command.NoticeId), Is.EqualTo(1), "SENT, once");
            Assert.That(sms.Failed.Where(f => f.NoticeId == command.NoticeId), Is.Empty);
            Assert.That(Platform.Hosts.Twilio.Requests.Count(r => r.To == command.PhoneNumber), Is.EqualTo(1), "one SMS");
            Assert.That(row.State, Is.EqualTo("SENT"));
        });
    }
}

public class An_sms_provider_answering_502_after_creating_the_message
{
    [TearDown]
    public void Reset() => Platform.Hosts.Twilio.Answer = (_, _) => null;

    [Test]
    public async Task Should_not_send_it_again_and_fail_visibly_as_outcome_unknown()
    {
        using var sms = new DispatchProbe("Notifiche.Dispatch.Sms", Platform.Hosts.SmsDispatchDatabase);
        var command = Commands.Sms(Commands.NewPhone());
        Platform.Hosts.Twilio.Answer = (r, _) => r.To == command.PhoneNumber ? TwilioAnswer.Error(502, 20502) with { Recorded = true } : null;

        await sms.Bus.Publish(command);

        await Eventually.Holds(() => sms.Failed.Any(f => f.NoticeId == command.NoticeId), TimeSpan.FromSeconds(30), "failed");
        await Task.Delay(TimeSpan.FromSeconds(2)); // room for a (wrong) retry to show
        var row = (await sms.RowsAsync(command.NoticeId)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(Platform.Hosts.Twilio.Requests.Count(r => r.To == command.PhoneNumber), Is.EqualTo(1), "the citizen gets one SMS");
            Assert.That(sms.Failed.Single(f => f.NoticeId == command.NoticeId).Reason, Is.EqualTo($"{DispatchLedger.OutcomeUnknown}: TWILIO 20502 (HTTP 502)"));
            Assert.That(row.State, Is.EqualTo("FAILED"));
        });
    }
}

/// <summary>Issue 16, point 10: a provider's message of any length is recorded cut to the ledger's column, never faulting the outcome.</summary>
public class Recording_a_long_provider_answer
{
    [Test]
    public async Task Should_record_the_failure_cut_to_the_column_length_without_splitting_a_character()
    {
        using var email = new DispatchProbe("Notifiche.Dispatch.Email", Platform.Hosts.EmailDispatchDatabase);
        var noticeId = Guid.CreateVersion7();
        // A relay that answers with a whole page; an emoji (a surrogate pair) straddles the column's limit.
        const string start = "550 mailbox unavailable: ";
        var reason = start + new string('x', DispatchRecord.ReasonMaxLength - start.Length - 1) + "😀" + new string('y', 3_000);

        await using var scope = Platform.Hosts.Services("Notifiche.Dispatch.Email").CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<DispatchLedger>();
        var result = await ledger.DispatchOnceAsync(new DispatchRequest(noticeId, Channels.Email, $"long-{noticeId:N}@example.it"), async (handOff, ct) =>
        {
            Assert.That(await handOff(ct), Is.True, "the claim is ours");
            return new DeliveryResult.Permanent(reason);
        }, CancellationToken.None);

        var row = (await email.RowsAsync(noticeId)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.InstanceOf<DeliveryResult.Permanent>());
            Assert.That(row.State, Is.EqualTo("FAILED"));
            Assert.That(row.Reason, Has.Length.EqualTo(DispatchRecord.ReasonMaxLength - 1), "cut before the emoji, not through it");
            Assert.That(reason, Does.StartWith(row.Reason!));
        });
    }
}

/// <summary>Issue 16, point 10: every provider message id the ledger can hold fits the gateway's channel status too.</summary>
public class Recording_a_long_provider_message_id
{
    [Test]
    public async Task Should_store_an_id_as_long_as_the_ledger_holds_on_the_channel()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("anagrafe-long-id");
        var id = await NoticeApi.SubmitAsync(service, NoticeApi.Body($"long-id-{Guid.NewGuid():N}@example.it"));
        await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT");
        var providerId = "projects/notifiche/messages/" + new string('7', DispatchRecord.ProviderMessageIdMaxLength - 28);

        // An outcome on another channel of the routed notice, as a dispatcher reports it, with the longest id it may record.
        await using (var scope = Platform.Hosts.GatewayServices.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<NoticeStatusUpdater>()
                .ChannelAsync(id, Channels.Push, ChannelStatus.Sent, DateTimeOffset.UtcNow, CancellationToken.None, providerMessageId: providerId);
        }

        await using var read = Platform.Hosts.GatewayServices.CreateAsyncScope();
        var stored = await read.ServiceProvider.GetRequiredService<GatewayDbContext>().NoticeChannels.AsNoTracking()
            .SingleAsync(c => c.NoticeId == id && c.Channel == Channels.Push);
        Assert.That(stored.ProviderMessageId, Is.EqualTo(providerId));
        Assert.That(stored.Status, Is.EqualTo(ChannelStatus.Sent));
    }
}
