using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Sms.Sending;

namespace Notifiche.Dispatch.Sms.Tests;

/// <summary>The Twilio adapter against a local server speaking Twilio's Messages resource.</summary>
public abstract class TwilioSpec
{
    protected TwilioStub Stub = null!;
    private IHost _host = null!;

    protected ISmsSender Sender => _host.Services.GetRequiredService<ISmsSender>();

    protected static SmsMessage Sms(string to = "+393470000000") => new(Guid.NewGuid(), to, "Hai un nuovo avviso da Comune: Referto pronto. Leggilo nell'app.", 1);

    [SetUp]
    public async Task StartStub()
    {
        Stub = await TwilioStub.StartAsync();
        var settings = SmsTestHost.Settings(Stub);
        Configure(settings);
        _host = SmsTestHost.Build(settings);
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

public class Sending_an_sms_through_twilio : TwilioSpec
{
    [Test]
    public async Task Should_post_the_form_with_basic_auth_and_return_the_message_sid()
    {
        var result = await Sender.SendAsync(Sms(), ProviderHandOffs.Unguarded, CancellationToken.None);

        var request = Stub.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.InstanceOf<DeliveryResult.Sent>());
            Assert.That(((DeliveryResult.Sent)result).ProviderMessageId, Does.StartWith("SM"));
            Assert.That(request.AccountSid, Is.EqualTo(TwilioStub.AccountSid));
            Assert.That(request.To, Is.EqualTo("+393470000000"));
            Assert.That(request.Form["From"], Is.EqualTo("Notifiche"));
            Assert.That(request.Body, Is.EqualTo("Hai un nuovo avviso da Comune: Referto pronto. Leggilo nell'app."));
        });
    }
}

public class Sending_through_a_messaging_service : TwilioSpec
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["Sms:Twilio:MessagingServiceSid"] = "MG0001";

    [Test]
    public async Task Should_send_the_messaging_service_sid_instead_of_a_sender()
    {
        await Sender.SendAsync(Sms(), ProviderHandOffs.Unguarded, CancellationToken.None);

        var form = Stub.Requests.Single().Form;
        Assert.That(form["MessagingServiceSid"], Is.EqualTo("MG0001"));
        Assert.That(form.ContainsKey("From"), Is.False);
    }
}

public class Twilio_refusing_the_recipient : TwilioSpec
{
    [TestCase(400, 21211, TestName = "21211 invalid 'To' number")]
    [TestCase(400, 21614, TestName = "21614 not a mobile number")]
    [TestCase(400, 21610, TestName = "21610 recipient unsubscribed (STOP)")]
    [TestCase(400, 21408, TestName = "21408 region not enabled")]
    [TestCase(400, 21612, TestName = "21612 not reachable by SMS")]
    public async Task Should_be_a_permanent_failure_sent_once_with_the_code_and_no_number(int status, int code)
    {
        Stub.Answer = (_, _) => TwilioAnswer.Error(status, code);

        var result = await Sender.SendAsync(Sms(), ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(new DeliveryResult.Permanent($"TWILIO {code} (HTTP {status})")));
            Assert.That(Stub.Requests, Has.Count.EqualTo(1), "a client error is not retried");
        });
    }
}

public class Twilio_failing_transiently : TwilioSpec
{
    [TestCase(429, 20429, TestName = "20429 too many requests")]
    [TestCase(503, 20503, TestName = "503 unavailable")]
    public async Task Should_retry_the_call_then_report_a_transient_failure(int status, int code)
    {
        Stub.Answer = (_, _) => TwilioAnswer.Error(status, code);

        var result = await Sender.SendAsync(Sms(), ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(new DeliveryResult.Transient($"TWILIO {code} (HTTP {status})")));
            Assert.That(Stub.Requests, Has.Count.EqualTo(3), "one call and MaxRetryAttempts=2 retries");
        });
    }

    [Test]
    public async Task Should_be_sent_when_the_provider_recovers_within_the_retries()
    {
        Stub.Answer = (_, n) => n <= 2 ? TwilioAnswer.Error(503, 20503) : null;

        var result = await Sender.SendAsync(Sms(), ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.That(result, Is.InstanceOf<DeliveryResult.Sent>());
        Assert.That(Stub.Accepted, Has.Count.EqualTo(1));
    }

}

public class Twilio_answering_without_saying_whether_it_sent : TwilioSpec
{
    [TestCase(500, 20500, TestName = "500 internal error")]
    [TestCase(502, 20502, TestName = "502 bad gateway")]
    [TestCase(504, 20504, TestName = "504 gateway timeout")]
    public async Task Should_not_post_again_and_report_the_outcome_unknown(int status, int code)
    {
        // The message was created before the error came back: a second POST would be a second SMS.
        Stub.Answer = (_, _) => TwilioAnswer.Error(status, code) with { Recorded = true };

        var result = await Sender.SendAsync(Sms(), ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(new DeliveryResult.Unknown($"TWILIO {code} (HTTP {status})")));
            Assert.That(Stub.Requests, Has.Count.EqualTo(1), "not retried");
            Assert.That(Stub.Accepted, Has.Count.EqualTo(1), "one SMS");
        });
    }
}

public class Twilio_answering_too_late : TwilioSpec
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["Sms:Resilience:AttemptTimeout"] = "00:00:01";

    [Test]
    public async Task Should_report_a_timeout_after_the_request_left_as_unknown()
    {
        Stub.Answer = (_, _) => TwilioAnswer.Created("SMslow") with { Delay = TimeSpan.FromSeconds(10) };

        var result = await Sender.SendAsync(Sms(), ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.That(result, Is.InstanceOf<DeliveryResult.Unknown>());
        Assert.That(((DeliveryResult.Unknown)result).Reason, Does.StartWith("TWILIO ").And.Contains("Timeout"));
        Assert.That(Stub.Requests, Has.Count.EqualTo(1), "not retried");
    }
}

public class Twilio_call_refused_by_the_dispatch_ledger : TwilioSpec
{
    [Test]
    public async Task Should_send_nothing()
    {
        var result = await Sender.SendAsync(Sms(), _ => ValueTask.FromResult(false), CancellationToken.None);

        Assert.That(result, Is.InstanceOf<DeliveryResult.Transient>());
        Assert.That(Stub.Requests, Is.Empty);
    }
}

public class Twilio_throttling_with_retry_after : TwilioSpec
{
    [Test]
    public async Task Should_wait_as_long_as_retry_after_asks_before_trying_again()
    {
        Stub.Answer = (_, n) => n == 1 ? TwilioAnswer.Error(429, 20429, retryAfterSeconds: 1) : null;

        var result = await Sender.SendAsync(Sms(), ProviderHandOffs.Unguarded, CancellationToken.None);

        var attempts = Stub.Requests.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.InstanceOf<DeliveryResult.Sent>());
            Assert.That(attempts, Has.Length.EqualTo(2));
            Assert.That(attempts[1].At - attempts[0].At, Is.GreaterThan(TimeSpan.FromMilliseconds(900)),
                "the back-off is 50 ms; only Retry-After makes it a second");
        });
    }
}

public class Twilio_refusing_our_credentials : TwilioSpec
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["Sms:Twilio:AuthToken"] = TestSettings.NewSecret(); // well formed, but not the account's

    [Test]
    public async Task Should_be_transient_so_the_command_is_replayable_once_configuration_is_fixed()
    {
        var result = await Sender.SendAsync(Sms(), ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new DeliveryResult.Transient("TWILIO 20003 (HTTP 401)")));
    }
}

public class Twilio_unreachable : TwilioSpec
{
    [Test]
    public async Task Should_be_transient()
    {
        await Stub.DisposeAsync();

        var result = await Sender.SendAsync(Sms(), ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.That(result, Is.InstanceOf<DeliveryResult.Transient>());
        Assert.That(((DeliveryResult.Transient)result).Reason, Does.StartWith("TWILIO ").And.Not.Contains("+39"));
    }
}
