using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.Contracts;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Sms.Tests;

/// <summary>The product's bus and consumer on MassTransit's in-memory test harness, the provider a <see cref="TwilioStub"/>.</summary>
public abstract class SmsDispatchSpec
{
    protected TwilioStub Stub = null!;
    protected ITestHarness Harness = null!;
    private IHost _host = null!;

    protected IServiceProvider Services => _host.Services;

    protected static SendSms Command(string phone = "+393470000000", string language = "it", DateTimeOffset? expiresAt = null) => new()
    {
        NoticeId = Guid.NewGuid(), ServiceId = "tributi-lazio", ServiceName = "Tributi Regione Lazio", PhoneNumber = phone,
        Subject = "Il bollo auto scade il 31/01", Language = language, ExpiresAt = expiresAt ?? DateTimeOffset.UtcNow.AddDays(7),
    };

    [SetUp]
    public async Task Start()
    {
        Stub = await TwilioStub.StartAsync();
        var settings = SmsTestHost.Settings(Stub);
        Configure(settings);
        _host = SmsTestHost.Build(settings, withBus: true);
        Harness = _host.Services.GetRequiredService<ITestHarness>();
        Harness.TestInactivityTimeout = TimeSpan.FromSeconds(8);
        await Harness.Start();
    }

    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    [TearDown]
    public async Task Stop()
    {
        await Harness.Stop();
        _host.Dispose();
        await Stub.DisposeAsync();
    }

    protected int Count<T>(Func<T, bool> filter) where T : class =>
        Harness.Published.Select<T>().Count(m => filter(m.Context.Message));
}

public class Dispatching_an_sms : SmsDispatchSpec
{
    [Test]
    public async Task Should_publish_sent_with_segments_cost_and_the_provider_id()
    {
        var command = Command(language: "en");

        await Harness.Bus.Publish(command);

        Assert.That(await Harness.Published.Any<NotificationSent>(m => m.Context.Message.NoticeId == command.NoticeId), Is.True);
        var sent = Harness.Published.Select<NotificationSent>().Single().Context.Message;
        var request = Stub.Accepted.Single();
        Assert.Multiple(() =>
        {
            Assert.That(sent.Channel, Is.EqualTo(Channels.Sms));
            Assert.That(sent.ProviderMessageId, Does.StartWith("SM"));
            Assert.That(sent.Segments, Is.EqualTo(1));
            Assert.That(sent.CostEuro, Is.EqualTo(0.07m));
            Assert.That(request.To, Is.EqualTo("+393470000000"));
            Assert.That(request.Body, Is.EqualTo("You have a new notice from Tributi Regione Lazio: Il bollo auto scade il 31/01. Read it in the app."));
        });
    }
}

public class Dispatching_an_sms_to_an_invalid_number : SmsDispatchSpec
{
    [Test]
    public async Task Should_publish_a_permanent_failure_without_retrying()
    {
        Stub.Answer = (_, _) => TwilioAnswer.Error(400, 21211);
        var command = Command();

        await Harness.Bus.Publish(command);

        Assert.That(await Harness.Published.Any<NotificationFailed>(m => m.Context.Message.NoticeId == command.NoticeId), Is.True);
        var failed = Harness.Published.Select<NotificationFailed>().Single().Context.Message;
        Assert.Multiple(() =>
        {
            Assert.That(failed.Permanent, Is.True);
            Assert.That(failed.Reason, Is.EqualTo("TWILIO 21211 (HTTP 400)"));
            Assert.That(Stub.Requests, Has.Count.EqualTo(1));
            Assert.That(Harness.Published.Select<Fault<SendSms>>(), Is.Empty);
        });
    }
}

/// <summary>Issue 16 point 7: the SMS budget is checked again before the provider is called, with what the gateway reserved.</summary>
public class Dispatching_an_sms_under_a_monthly_budget : SmsDispatchSpec
{
    private const string LongSubject = "Il bollo auto della tua vettura targata AB123CD scade il 31/01/2027: paga entro la scadenza per evitare la sanzione";

    [Test]
    public async Task Should_shorten_the_text_to_the_segments_the_notice_reserved()
    {
        var command = Command() with { Subject = LongSubject, MaxSegments = 1 };

        await Harness.Bus.Publish(command);

        Assert.That(await Harness.Published.Any<NotificationSent>(m => m.Context.Message.NoticeId == command.NoticeId), Is.True);
        var sent = Harness.Published.Select<NotificationSent>().Single().Context.Message;
        Assert.That(sent.Segments, Is.EqualTo(1), "without the reservation the subject fits the dispatcher's 2 segments");
        Assert.That(Stub.Accepted.Single().Body, Does.Contain("..."));
    }

    [Test]
    public async Task Should_fail_permanently_and_never_call_the_provider_when_nothing_is_reserved()
    {
        var command = Command() with { MaxSegments = 0 };

        await Harness.Bus.Publish(command);

        Assert.That(await Harness.Published.Any<NotificationFailed>(m => m.Context.Message.NoticeId == command.NoticeId), Is.True);
        var failed = Harness.Published.Select<NotificationFailed>().Single().Context.Message;
        Assert.That(failed.Permanent, Is.True);
        Assert.That(failed.Reason, Does.StartWith("SMS_BUDGET_EXHAUSTED"));
        Assert.That(Stub.Requests, Is.Empty);
    }
}

public class Dispatching_an_expired_sms : SmsDispatchSpec
{
    [Test]
    public async Task Should_publish_expired_and_never_call_the_provider()
    {
        var command = Command(expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1));

        await Harness.Bus.Publish(command);

        Assert.That(await Harness.Published.Any<NotificationExpired>(m => m.Context.Message.NoticeId == command.NoticeId), Is.True);
        Assert.That(Stub.Requests, Is.Empty);
        Assert.That(Harness.Published.Select<NotificationSent>(), Is.Empty);
    }
}

public class Provider_down_for_a_while_then_back : SmsDispatchSpec
{
    // Four retries, about 0.3 s, 0.5 s, 0.9 s and 1.7 s apart: longer in all than the outage.
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Messaging:ProviderRetry:Limit"] = "4";
        settings["Messaging:ProviderRetry:MinInterval"] = "00:00:00.1";
        settings["Messaging:ProviderRetry:MaxInterval"] = "00:00:02";
        settings["Messaging:ProviderRetry:Delta"] = "00:00:00.2";
    }

    [Test]
    public async Task Should_deliver_every_sms_exactly_once()
    {
        var backAt = DateTimeOffset.UtcNow.AddSeconds(1.5);
        Stub.Answer = (r, _) => r.At < backAt ? TwilioAnswer.Error(503, 20503) : null;
        var commands = Enumerable.Range(0, 5).Select(i => Command(phone: $"+39347000000{i}")).ToList();

        foreach (var command in commands)
        {
            await Harness.Bus.Publish(command);
        }

        await Eventually.Holds(() => Count<NotificationSent>(_ => true) == commands.Count, TimeSpan.FromSeconds(20), "every SMS sent");
        Assert.Multiple(() =>
        {
            Assert.That(Stub.Requests.Count(r => r.At < backAt), Is.GreaterThan(0), "the provider was really down at first");
            Assert.That(Stub.Accepted.Select(r => r.To), Is.EquivalentTo(commands.Select(c => c.PhoneNumber)), "each delivered once");
            Assert.That(commands.Select(c => Count<NotificationSent>(s => s.NoticeId == c.NoticeId)), Is.All.EqualTo(1));
            Assert.That(Harness.Published.Select<Fault<SendSms>>(), Is.Empty);
        });
    }
}

public class Provider_failing_every_call : SmsDispatchSpec
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Sms:Resilience:MaxRetryAttempts"] = "0";
        settings["Sms:KillSwitch:ActivationThreshold"] = "2";
        settings["Sms:KillSwitch:TripThresholdPercent"] = "50";
        settings["Sms:KillSwitch:RestartTimeout"] = "00:00:03";
    }

    [Test]
    public async Task Should_stop_the_endpoint_and_restart_it_after_the_restart_timeout()
    {
        var endpoint = new EndpointLifecycle();
        Services.GetRequiredService<IBusControl>().ConnectReceiveEndpointObserver(endpoint);
        Stub.Answer = (_, _) => TwilioAnswer.Error(503, 20503);
        foreach (var command in Enumerable.Range(0, 3).Select(i => Command(phone: $"+39347000001{i}")))
        {
            await Harness.Bus.Publish(command);
        }

        await Eventually.Holds(() => Count<Fault<SendSms>>(_ => true) == 3, TimeSpan.FromSeconds(10), "three commands faulted");
        Assert.That(await endpoint.Stopped.Task.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo("send-sms"), "the kill switch stopped the endpoint");
        var gauge = Services.GetRequiredService<KillSwitchGauge>();
        await Eventually.Holds(() => gauge.Trips("send-sms") >= 1, TimeSpan.FromSeconds(5), "notifiche.kill_switch.trips counts the trip of send-sms");
        Stub.Answer = (_, _) => null;
        var later = Enumerable.Range(0, 2).Select(i => Command(phone: $"+39347000002{i}")).ToList();
        foreach (var command in later)
        {
            await Harness.Bus.Publish(command);
        }

        // The in-memory transport keeps delivering to a stopped endpoint, so that commands wait in the queue while it
        // is stopped is not observable here, only the stop and the restart are (on RabbitMQ a stopped endpoint cancels
        // its broker consumer, so they stay in the queue).
        await endpoint.Restarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.Holds(() => !gauge.IsOpen("send-sms"), TimeSpan.FromSeconds(5), "notifiche.kill_switch.open reads 0 again once it consumes");
        await Eventually.Holds(() => later.All(c => Count<NotificationSent>(s => s.NoticeId == c.NoticeId) == 1), TimeSpan.FromSeconds(15),
            "the later commands delivered once the provider is back");
        Assert.That(Stub.Accepted.Select(r => r.To), Is.EquivalentTo(later.Select(c => c.PhoneNumber)), "each delivered once");
        Assert.That(endpoint.Restarted.Task.IsCompletedSuccessfully, Is.True, "and started it again");
    }
}

/// <summary>Records a receive endpoint stopping (the kill switch tripping) and becoming ready again afterwards.</summary>
public sealed class EndpointLifecycle : IReceiveEndpointObserver
{
    public TaskCompletionSource<string> Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Restarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Ready(ReceiveEndpointReady ready)
    {
        if (Stopped.Task.IsCompleted)
        {
            Restarted.TrySetResult();
        }

        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed)
    {
        Stopped.TrySetResult(completed.InputAddress.AbsolutePath.Trim('/'));
        return Task.CompletedTask;
    }

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
