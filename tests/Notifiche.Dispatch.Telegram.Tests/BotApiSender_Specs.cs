using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Telegram.Sending;

namespace Notifiche.Dispatch.Telegram.Tests;

/// <summary>The Bot API adapter against a local server speaking <c>sendMessage</c>.</summary>
public abstract class BotApiSpec
{
    protected TelegramStub Stub = null!;
    private IHost _host = null!;

    protected ITelegramSender Sender => _host.Services.GetRequiredService<ITelegramSender>();

    protected static TelegramMessage Message(long chatId = 4242) => new(Guid.NewGuid(), chatId, "<b>Comune</b>\nReferto pronto");

    [SetUp]
    public async Task StartStub()
    {
        Stub = await TelegramStub.StartAsync();
        var settings = TelegramTestHost.Settings(Stub);
        Configure(settings);
        _host = TelegramTestHost.Build(settings);
    }

    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    [TearDown]
    public async Task StopStub()
    {
        _host.Dispose();
        await Stub.DisposeAsync();
    }
}

public class Sending_a_message_through_the_bot_api : BotApiSpec
{
    [Test]
    public async Task Should_call_send_message_with_the_token_in_html_parse_mode_and_return_the_message_id()
    {
        var result = await Sender.SendAsync(Message(), ProviderHandOffs.Unguarded, CancellationToken.None);

        var request = Stub.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(new DeliveryResult.Sent("1")));
            Assert.That(request.Token, Is.EqualTo(TelegramStub.Token));
            Assert.That(request.ChatId, Is.EqualTo(4242));
            Assert.That(request.ParseMode, Is.EqualTo("HTML"));
            Assert.That(request.Text, Is.EqualTo("<b>Comune</b>\nReferto pronto"));
            Assert.That(request.Body["link_preview_options"]?["is_disabled"]?.GetValue<bool>(), Is.True);
        });
    }
}

public class Telegram_throttling_with_retry_after_in_the_body : BotApiSpec
{
    [Test]
    public async Task Should_wait_as_long_as_retry_after_asks_before_trying_again()
    {
        Stub.Answer = (_, n) => n == 1 ? TelegramAnswer.TooManyRequests(1) : null;

        var result = await Sender.SendAsync(Message(), ProviderHandOffs.Unguarded, CancellationToken.None);

        var attempts = Stub.Requests.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.InstanceOf<DeliveryResult.Sent>());
            Assert.That(attempts, Has.Length.EqualTo(2));
            Assert.That(attempts[1].At - attempts[0].At, Is.GreaterThan(TimeSpan.FromMilliseconds(900)),
                "the back-off is 50 ms; only parameters.retry_after makes it a second");
        });
    }

    [Test]
    public async Task Should_be_a_throttled_transient_failure_when_it_keeps_throttling()
    {
        Stub.Answer = (_, _) => TelegramAnswer.TooManyRequests(1);

        var result = await Sender.SendAsync(Message(), ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new DeliveryResult.Transient("TELEGRAM 429 THROTTLED (retry after 1 s)")));
        Assert.That(Stub.Requests, Has.Count.EqualTo(3), "the first call and two retries");
    }
}

public class Telegram_refusing_the_chat : BotApiSpec
{
    [TestCase(403, "Forbidden: bot was blocked by the user", "TELEGRAM 403 BOT_BLOCKED")]
    [TestCase(403, "Forbidden: user is deactivated", "TELEGRAM 403 USER_DEACTIVATED")]
    [TestCase(400, "Bad Request: chat not found", "TELEGRAM 400 CHAT_NOT_FOUND")]
    public async Task Should_be_a_permanent_failure_of_a_dead_address_sent_once(int status, string description, string reason)
    {
        Stub.Answer = (_, _) => TelegramAnswer.Error(status, description);

        var result = await Sender.SendAsync(Message(), ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new DeliveryResult.Permanent(reason) { AddressRejected = true }));
        Assert.That(Stub.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Should_be_a_permanent_failure_without_dropping_the_chat_when_the_request_is_wrong()
    {
        Stub.Answer = (_, _) => TelegramAnswer.Error(400, "Bad Request: can't parse entities");

        var result = await Sender.SendAsync(Message(), ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new DeliveryResult.Permanent("TELEGRAM 400 BAD_REQUEST")));
    }
}

public class Telegram_answering_without_saying_whether_it_sent : BotApiSpec
{
    [TestCase(500)]
    [TestCase(502)]
    public async Task Should_not_post_again_and_report_the_outcome_unknown(int status)
    {
        Stub.Answer = (_, _) => TelegramAnswer.Error(status, "Internal Server Error");

        var result = await Sender.SendAsync(Message(), ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new DeliveryResult.Unknown($"TELEGRAM HTTP {status}")));
        Assert.That(Stub.Requests, Has.Count.EqualTo(1));
    }
}

public class Telegram_refusing_our_token : BotApiSpec
{
    protected override void Configure(Dictionary<string, string?> settings) =>
        settings["Telegram:BotApi:Token"] = "999:wrong-token-wrong-token-wrong-token-0";

    [Test]
    public async Task Should_be_transient_so_the_command_is_replayable_once_configuration_is_fixed()
    {
        var result = await Sender.SendAsync(Message(), ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new DeliveryResult.Transient("TELEGRAM HTTP 401")));
    }
}

public class Telegram_call_refused_by_the_dispatch_ledger : BotApiSpec
{
    [Test]
    public async Task Should_send_nothing()
    {
        var result = await Sender.SendAsync(Message(), _ => ValueTask.FromResult(false), CancellationToken.None);

        Assert.That(result, Is.InstanceOf<DeliveryResult.Transient>());
        Assert.That(Stub.Requests, Is.Empty);
    }
}

public class A_dispatcher_without_a_bot_token : BotApiSpec
{
    [TestCase("")]
    [TestCase("not-a-token")]
    public void Should_not_start(string token)
    {
        var settings = TelegramTestHost.Settings(Stub);
        settings["Telegram:BotApi:Token"] = token;
        using var host = TelegramTestHost.Build(settings);

        var failure = Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.That(failure!.Message, Does.Contain("Telegram:BotApi:Token"));
    }
}

public class Bot_api_urls : BotApiSpec
{
    [Test]
    public void Should_be_written_down_without_the_token() => Assert.That(
        BotUrls.Redact(new Uri($"https://api.telegram.org/bot{TelegramStub.Token}/sendMessage")),
        Is.EqualTo("https://api.telegram.org/bot{token}/sendMessage"));

    [Test]
    public async Task Should_not_carry_the_token_into_any_log_line()
    {
        var mark = LogCapture.Instance.Mark();
        Stub.Answer = (_, n) => n == 1 ? TelegramAnswer.TooManyRequests(1) : null;

        await Sender.SendAsync(Message(), ProviderHandOffs.Unguarded, CancellationToken.None);

        var secret = TelegramStub.Token.Split(':')[1];
        Assert.That(LogCapture.Instance.LinesSince(mark), Is.Not.Empty, "the retry was logged");
        Assert.That(LogCapture.Instance.LinesSince(mark), Has.None.Contains(secret));
    }
}
