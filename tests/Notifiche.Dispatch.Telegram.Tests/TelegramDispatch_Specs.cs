using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.Contracts;
using Notifiche.Dispatch.Telegram.Integrations.Sandbox;

namespace Notifiche.Dispatch.Telegram.Tests;

/// <summary>The product's bus and consumer on MassTransit's in-memory test harness, the Bot API a <see cref="TelegramStub"/>.</summary>
public abstract class TelegramDispatchSpec
{
    protected TelegramStub Stub = null!;
    protected ITestHarness Harness = null!;
    private IHost _host = null!;

    protected IServiceProvider Services => _host.Services;

    protected static SendTelegram Command(long chatId = 4242, string language = "it", string subject = "Il bollo auto scade il 31/01",
        DateTimeOffset? expiresAt = null) => new()
    {
        NoticeId = Guid.NewGuid(), ServiceId = "tributi-lazio", ServiceName = "Tributi <Regione> Lazio", ChatId = chatId,
        Subject = subject, Language = language, ExpiresAt = expiresAt ?? DateTimeOffset.UtcNow.AddDays(7),
    };

    [SetUp]
    public async Task Start()
    {
        Stub = await TelegramStub.StartAsync();
        var settings = TelegramTestHost.Settings(Stub);
        Configure(settings);
        _host = TelegramTestHost.Build(settings, withBus: true);
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

public class Dispatching_a_telegram_message : TelegramDispatchSpec
{
    [Test]
    public async Task Should_send_the_escaped_html_and_publish_sent_with_the_message_id()
    {
        var command = Command(language: "en", subject: "Tax <due> & \"overdue\"");

        await Harness.Bus.Publish(command);

        Assert.That(await Harness.Published.Any<NotificationSent>(m => m.Context.Message.NoticeId == command.NoticeId), Is.True);
        var sent = Harness.Published.Select<NotificationSent>().Single().Context.Message;
        var request = Stub.Accepted.Single();
        Assert.Multiple(() =>
        {
            Assert.That(sent.Channel, Is.EqualTo(Channels.Telegram));
            Assert.That(sent.ProviderMessageId, Is.EqualTo("1"));
            Assert.That(request.ChatId, Is.EqualTo(4242));
            Assert.That(request.ParseMode, Is.EqualTo("HTML"));
            Assert.That(request.Text, Is.EqualTo(
                "<b>Tributi &lt;Regione&gt; Lazio</b>\nYou have a new notice: Tax &lt;due&gt; &amp; &quot;overdue&quot;\nRead it in the app."));
        });
    }

    [Test]
    public async Task Should_send_once_when_the_command_is_delivered_twice()
    {
        var command = Command();

        await Harness.Bus.Publish(command);
        await Eventually.Holds(() => Count<NotificationSent>(s => s.NoticeId == command.NoticeId) == 1, TimeSpan.FromSeconds(10), "sent");
        await Harness.Bus.Publish(command);

        await Eventually.Holds(() => Harness.Consumed.Select<SendTelegram>().Count() == 2, TimeSpan.FromSeconds(10), "both consumed");
        Assert.That(Stub.Requests, Has.Count.EqualTo(1), "the dispatch ledger let it reach Telegram once");
    }
}

public class Dispatching_to_a_chat_that_blocked_the_bot : TelegramDispatchSpec
{
    [Test]
    public async Task Should_report_the_chat_for_unlinking_and_fail_the_channel_with_the_reason_without_retrying()
    {
        Stub.Answer = (_, _) => TelegramAnswer.Blocked();
        var command = Command(chatId: 777);

        await Harness.Bus.Publish(command);

        Assert.That(await Harness.Published.Any<NotificationFailed>(m => m.Context.Message.NoticeId == command.NoticeId), Is.True);
        var failed = Harness.Published.Select<NotificationFailed>().Single().Context.Message;
        var rejected = Harness.Published.Select<TelegramChatRejected>().Single().Context.Message;
        Assert.Multiple(() =>
        {
            Assert.That(failed.Permanent, Is.True);
            Assert.That(failed.Channel, Is.EqualTo(Channels.Telegram));
            Assert.That(failed.Reason, Is.EqualTo("TELEGRAM 403 BOT_BLOCKED: the chat was unlinked from the citizen's profile"));
            Assert.That(rejected.ChatId, Is.EqualTo(777));
            Assert.That(rejected.NoticeId, Is.EqualTo(command.NoticeId));
            Assert.That(Stub.Requests, Has.Count.EqualTo(1));
            Assert.That(Harness.Published.Select<Fault<SendTelegram>>(), Is.Empty);
        });
    }
}

public class Dispatching_an_expired_telegram_message : TelegramDispatchSpec
{
    [Test]
    public async Task Should_publish_expired_and_never_call_telegram()
    {
        var command = Command(expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1));

        await Harness.Bus.Publish(command);

        Assert.That(await Harness.Published.Any<NotificationExpired>(m => m.Context.Message.NoticeId == command.NoticeId), Is.True);
        Assert.That(Stub.Requests, Is.Empty);
    }
}

public class Telegram_throttling_for_longer_than_the_call_retries : TelegramDispatchSpec
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Telegram:Resilience:MaxRetryAttempts"] = "0";
        settings["Messaging:ProviderRetry:Limit"] = "3";
        settings["Messaging:ProviderRetry:MinInterval"] = "00:00:00.2";
        settings["Messaging:ProviderRetry:MaxInterval"] = "00:00:00.2";
    }

    [Test]
    public async Task Should_retry_the_command_later_and_deliver_it_once()
    {
        Stub.Answer = (_, n) => n <= 2 ? TelegramAnswer.TooManyRequests(1) : null;
        var command = Command();

        await Harness.Bus.Publish(command);

        await Eventually.Holds(() => Count<NotificationSent>(s => s.NoticeId == command.NoticeId) == 1, TimeSpan.FromSeconds(15), "sent");
        Assert.Multiple(() =>
        {
            Assert.That(Stub.Accepted, Has.Count.EqualTo(1));
            Assert.That(Count<DispatchAttemptFailed>(a => a.Reason.Contains("TELEGRAM 429 THROTTLED")), Is.EqualTo(2), "each throttled attempt is on the audit trail");
            Assert.That(Harness.Published.Select<Fault<SendTelegram>>(), Is.Empty);
        });
    }
}

public class Telegram_failing_every_call : TelegramDispatchSpec
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Telegram:Resilience:MaxRetryAttempts"] = "0";
        settings["Telegram:KillSwitch:ActivationThreshold"] = "2";
        settings["Telegram:KillSwitch:TripThresholdPercent"] = "50";
        settings["Telegram:KillSwitch:RestartTimeout"] = "00:00:03";
    }

    [Test]
    public async Task Should_fault_the_commands_and_stop_the_endpoint()
    {
        var endpoint = new EndpointStopped();
        Services.GetRequiredService<IBusControl>().ConnectReceiveEndpointObserver(endpoint);
        Stub.Answer = (_, _) => TelegramAnswer.Error(503, "Service Unavailable");
        foreach (var command in Enumerable.Range(0, 3).Select(i => Command(chatId: 100 + i)))
        {
            await Harness.Bus.Publish(command);
        }

        await Eventually.Holds(() => Count<Fault<SendTelegram>>(_ => true) == 3, TimeSpan.FromSeconds(10), "three commands faulted");
        Assert.That(await endpoint.Stopped.Task.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo("send-telegram"), "the kill switch stopped the endpoint");
    }
}

public class Dispatching_to_the_sandbox : TelegramDispatchSpec
{
    private string _folder = null!;

    protected override void Configure(Dictionary<string, string?> settings)
    {
        _folder = Path.Combine(Path.GetTempPath(), $"notifiche-telegram-{Guid.NewGuid():N}");
        settings["Telegram:Provider"] = "Sandbox";
        settings["Telegram:BotApi:Token"] = "";
        settings["Telegram:SandboxDirectory"] = _folder;
    }

    [Test]
    public async Task Should_record_the_message_in_a_file_and_call_nobody()
    {
        var command = Command(chatId: 31337);

        await Harness.Bus.Publish(command);

        Assert.That(await Harness.Published.Any<NotificationSent>(m => m.Context.Message.NoticeId == command.NoticeId), Is.True);
        var line = File.ReadAllLines(Path.Combine(_folder, SandboxTelegramSender.FileName)).Single();
        Assert.That(line, Does.Contain("\"chat_id\":31337").And.Contain(command.NoticeId.ToString()));
        Assert.That(Stub.Requests, Is.Empty);
    }
}

/// <summary>Records a receive endpoint stopping (the kill switch tripping).</summary>
public sealed class EndpointStopped : IReceiveEndpointObserver
{
    public TaskCompletionSource<string> Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Ready(ReceiveEndpointReady ready) => Task.CompletedTask;

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed)
    {
        Stopped.TrySetResult(completed.InputAddress.AbsolutePath.Trim('/'));
        return Task.CompletedTask;
    }

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
