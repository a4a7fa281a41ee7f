using System.Diagnostics;
using Notifiche.Contracts;
using Notifiche.Dispatch.Ledger;
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
        var stopped = await StopWhileTheProviderAnswersAsync(TimeSpan.FromSeconds(3));

        await Platform.Hosts.StartServiceAsync(Dispatcher);
        using var restarted = new DispatchProbe(Dispatcher, Platform.Hosts.SmsDispatchDatabase);
        await Task.Delay(TimeSpan.FromSeconds(3)); // time for a redelivery, had the message gone back to the queue
        var noticeId = stopped.Command.NoticeId;
        Assert.Multiple(() =>
        {
            Assert.That(Platform.Hosts.Twilio.Accepted.Count(r => r.To == stopped.Command.PhoneNumber), Is.EqualTo(1));
            Assert.That(stopped.Probe.Sent.Count(s => s.NoticeId == noticeId), Is.EqualTo(1), "finished and reported before the host stopped");
            Assert.That(stopped.Rows.Select(r => r.State), Is.EqualTo(new[] { "SENT" }));
            Assert.That(stopped.LeftInQueue, Is.Zero, "nothing went back to the queue");
            Assert.That(restarted.Sent.Where(s => s.NoticeId == noticeId), Is.Empty, "acknowledged: nothing came back after the restart");
        });
    }

    [Test]
    public async Task Should_give_up_on_a_provider_slower_than_the_shutdown_timeout_and_never_send_twice()
    {
        // Slower than the SMS host's Messaging:ShutdownTimeout (5 s); the stub still "accepts" it afterwards — the
        // ambiguous case, where only the provider knows.
        var stopped = await StopWhileTheProviderAnswersAsync(TimeSpan.FromSeconds(12));

        await Platform.Hosts.StartServiceAsync(Dispatcher);
        using var restarted = new DispatchProbe(Dispatcher, Platform.Hosts.SmsDispatchDatabase);
        var noticeId = stopped.Command.NoticeId;
        await Eventually.Holds(() => restarted.Failed.Any(f => f.NoticeId == noticeId), TimeSpan.FromSeconds(30), "failed after the restart");
        Assert.Multiple(() =>
        {
            Assert.That(stopped.Stopping, Is.LessThan(TimeSpan.FromSeconds(20)), "the shutdown is bounded");
            Assert.That(stopped.LeftInQueue, Is.EqualTo(1), "the unfinished message went back to its queue, not acknowledged");
            Assert.That(stopped.Rows.Select(r => (r.State, r.Reason)), Is.EqualTo(new[] { ("FAILED", $"{DispatchLedger.OutcomeUnknown}: TaskCanceledException") }),
                "recorded as it stopped: the request had left");
            Assert.That(restarted.Failed.Single(f => f.NoticeId == noticeId).Reason, Does.StartWith(DispatchLedger.OutcomeUnknown));
            Assert.That(Platform.Hosts.Twilio.Requests.Count(r => r.To == stopped.Command.PhoneNumber), Is.EqualTo(1), "not sent again");
        });
    }

    private sealed record Stopped(SendSms Command, DispatchProbe Probe, TimeSpan Stopping, int LeftInQueue, IReadOnlyList<DispatchProbe.Row> Rows);

    /// <summary>Sends an SMS the provider takes <paramref name="answerAfter"/> to accept, and stops the dispatcher (as on SIGTERM) mid-call.</summary>
    private static async Task<Stopped> StopWhileTheProviderAnswersAsync(TimeSpan answerAfter)
    {
        var command = Commands.Sms(Commands.NewPhone());
        var twilio = Platform.Hosts.Twilio;
        twilio.Answer = (r, _) => r.To == command.PhoneNumber ? TwilioAnswer.Created($"SM{Guid.NewGuid():N}") with { Delay = answerAfter } : null;
        using var sms = new DispatchProbe(Dispatcher, Platform.Hosts.SmsDispatchDatabase);
        await sms.Bus.Publish(command);
        await Eventually.Holds(() => twilio.Requests.Any(r => r.To == command.PhoneNumber), TimeSpan.FromSeconds(30), "the provider call under way");

        var stopping = Stopwatch.StartNew();
        await Platform.Hosts.StopServiceAsync(Dispatcher);
        stopping.Stop();
        var left = (await Platform.Hosts.Vhost.PeekAsync(CommandQueues.SendSms, 100)).EnumerateArray()
            .Count(m => m.GetProperty("payload").GetString()!.Contains(command.NoticeId.ToString()));
        return new Stopped(command, sms, stopping.Elapsed, left, await sms.RowsAsync(command.NoticeId));
    }
}
