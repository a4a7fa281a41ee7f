using Notifiche.Messaging;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

public class Stopping_a_dispatcher_while_the_provider_is_slow
{
    private const string Dispatcher = "Notifiche.Dispatch.Sms";

    [TearDown]
    public void Reset() => Platform.Hosts.Twilio.Answer = (_, _) => null;

    [Test]
    public async Task Should_finish_the_message_in_hand_before_exiting_and_never_send_it_again()
    {
        var command = Commands.Sms(Commands.NewPhone());
        var twilio = Platform.Hosts.Twilio;
        twilio.Answer = (r, _) => r.To == command.PhoneNumber ? TwilioAnswer.Created($"SM{Guid.NewGuid():N}") with { Delay = TimeSpan.FromSeconds(3) } : null;
        var sms = new DispatchProbe(Dispatcher, Platform.Hosts.SmsDispatchDatabase);
        await sms.Bus.Publish(command);
        await Eventually.Holds(() => twilio.Requests.Any(r => r.To == command.PhoneNumber), TimeSpan.FromSeconds(30), "the provider call under way");

        // As on SIGTERM: stop consuming, finish what is in hand (well within Messaging:ShutdownTimeout), then exit.
        await Platform.Hosts.StopServiceAsync(Dispatcher);
        sms.Dispose();
        var rows = await sms.RowsAsync(command.NoticeId);
        var left = (await Platform.Hosts.Vhost.PeekAsync(CommandQueues.SendSms, 100)).EnumerateArray()
            .Count(m => m.GetProperty("payload").GetString()!.Contains(command.NoticeId.ToString()));

        await Platform.Hosts.StartServiceAsync(Dispatcher);
        using var restarted = new DispatchProbe(Dispatcher, Platform.Hosts.SmsDispatchDatabase);
        await Task.Delay(TimeSpan.FromSeconds(3)); // time for a redelivery, had the message gone back to the queue
        Assert.Multiple(() =>
        {
            Assert.That(twilio.Accepted.Count(r => r.To == command.PhoneNumber), Is.EqualTo(1));
            Assert.That(sms.Sent.Count(s => s.NoticeId == command.NoticeId), Is.EqualTo(1), "finished and reported before the host stopped");
            Assert.That(rows.Select(r => r.State), Is.EqualTo(new[] { "SENT" }));
            Assert.That(left, Is.Zero, "nothing went back to the queue");
            Assert.That(restarted.Sent.Where(s => s.NoticeId == command.NoticeId), Is.Empty, "acknowledged: nothing came back after the restart");
        });
    }

    [Test]
    public async Task Should_give_up_on_a_provider_slower_than_the_shutdown_timeout_and_never_send_twice()
    {
        var command = Commands.Sms(Commands.NewPhone());
        var twilio = Platform.Hosts.Twilio;
        // Slower than the SMS host's Messaging:ShutdownTimeout (5 s): the stub still "accepts" it afterwards — the
        // ambiguous case, where only the provider knows.
        twilio.Answer = (r, _) => r.To == command.PhoneNumber ? TwilioAnswer.Created($"SM{Guid.NewGuid():N}") with { Delay = TimeSpan.FromSeconds(12) } : null;
        var sms = new DispatchProbe(Dispatcher, Platform.Hosts.SmsDispatchDatabase);
        await sms.Bus.Publish(command);
        await Eventually.Holds(() => twilio.Requests.Any(r => r.To == command.PhoneNumber), TimeSpan.FromSeconds(30), "the provider call under way");

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await Platform.Hosts.StopServiceAsync(Dispatcher);
        stopping.Stop();
        sms.Dispose();
        var left = (await Platform.Hosts.Vhost.PeekAsync(CommandQueues.SendSms, 100)).EnumerateArray()
            .Count(m => m.GetProperty("payload").GetString()!.Contains(command.NoticeId.ToString()));
        var rows = await sms.RowsAsync(command.NoticeId);

        await Platform.Hosts.StartServiceAsync(Dispatcher);
        using var restarted = new DispatchProbe(Dispatcher, Platform.Hosts.SmsDispatchDatabase);
        await Eventually.Holds(() => restarted.Failed.Any(f => f.NoticeId == command.NoticeId), TimeSpan.FromSeconds(30), "failed after the restart");
        Assert.Multiple(() =>
        {
            Assert.That(stopping.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "the shutdown is bounded");
            Assert.That(left, Is.EqualTo(1), "the unfinished message went back to its queue, not acknowledged");
            Assert.That(rows.Select(r => r.State), Is.EqualTo(new[] { "SENDING" }));
            Assert.That(restarted.Failed.Single(f => f.NoticeId == command.NoticeId).Reason, Is.EqualTo(Notifiche.Dispatching.DispatchLedger.OutcomeUnknown));
            Assert.That(twilio.Requests.Count(r => r.To == command.PhoneNumber), Is.EqualTo(1), "not sent again");
        });
    }
}
