using MassTransit.RetryPolicies;
using MassTransit.RetryPolicies.ExceptionFilters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Sms.Tests;

/// <summary>
/// The policy of <c>send-sms</c> as the product resolves it with nothing configured but Twilio's credentials (without
/// which it does not start): the numbers <see cref="DeliveryPolicy"/>'s table states.
/// </summary>
public class The_delivery_policy_of_send_sms
{
    private IHost _host = null!;

    [SetUp]
    public void Build() =>
        _host = SmsTestHost.Build(new(TestDispatchLedger.Sqlite())
        {
            ["Messaging:Transport"] = "InMemory",
            ["Sms:Twilio:AccountSid"] = TwilioStub.AccountSid,
            ["Sms:Twilio:AuthToken"] = TwilioStub.AuthToken,
        }, withBus: true);

    [TearDown]
    public void Dispose() => _host.Dispose();

    private QueueDelivery Policy => DeliveryPolicy.For(_host.Services.GetRequiredService<IOptions<MessagingOptions>>().Value, CommandQueues.SendSms);

    [Test]
    public void Should_try_31_times_in_memory_with_back_off_from_1_second_to_1_minute_then_dead_letter()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Policy.Attempts, Is.EqualTo(31));
            Assert.That(Policy.Retry.MinInterval, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(Policy.Retry.MaxInterval, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(Policy.Retry.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(Policy.ErrorQueue, Is.EqualTo("send-sms_error"));
            Assert.That(Policy.BrokerDeliveryLimit, Is.EqualTo(10));
            Assert.That(Policy.DeadLetterQueue, Is.EqualTo("notifiche.dead-letters"));
        });
    }

    [Test]
    public void Should_wait_about_27_minutes_in_all_and_no_more_than_34()
    {
        var retry = Policy.Retry;
        var waits = Enumerable.Range(0, 200).Select(_ =>
        {
            var policy = new ExponentialRetryPolicy(new AllExceptionFilter(), retry.Limit, retry.MinInterval, retry.MaxInterval, retry.Delta);
            return TimeSpan.FromTicks(Enumerable.Range(0, retry.Limit).Sum(n => policy.GetRetryInterval(n).Ticks));
        }).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(waits.Average(w => w.TotalMinutes), Is.EqualTo(27).Within(1));
            Assert.That(waits, Is.All.InRange(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(34.5)));
        });
    }

    [Test]
    public void Should_stop_consuming_for_a_minute_when_15_percent_of_10_or_more_commands_fail_in_a_minute()
    {
        var endpoint = _host.Services.GetRequiredService<ProviderDispatchEndpoint<SendSmsConsumer>>();

        Assert.Multiple(() =>
        {
            Assert.That(endpoint.Queue, Is.EqualTo("send-sms"));
            Assert.That(endpoint.KillSwitch.ActivationThreshold, Is.EqualTo(10));
            Assert.That(endpoint.KillSwitch.TripThresholdPercent, Is.EqualTo(15));
            Assert.That(endpoint.KillSwitch.TrackingPeriod, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(endpoint.KillSwitch.RestartTimeout, Is.EqualTo(TimeSpan.FromMinutes(1)));
        });
    }

    [Test]
    public void Should_call_the_provider_within_60_seconds_retrying_3_times_behind_a_circuit_breaker()
    {
        var http = _host.Services.GetRequiredService<IOptions<SmsOptions>>().Value.Resilience;

        Assert.Multiple(() =>
        {
            Assert.That(http.TotalTimeout, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(http.AttemptTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(http.MaxRetryAttempts, Is.EqualTo(3));
            Assert.That(http.RetryDelay, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(http.MaxRetryDelay, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(http.CircuitFailureRatio, Is.EqualTo(0.5));
            Assert.That(http.CircuitMinimumThroughput, Is.EqualTo(10));
            Assert.That(http.CircuitSamplingDuration, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(http.CircuitBreakDuration, Is.EqualTo(TimeSpan.FromSeconds(15)));
        });
    }

    [Test]
    public void Should_give_send_email_the_ordinary_retry_of_7_attempts()
    {
        var email = DeliveryPolicy.For(_host.Services.GetRequiredService<IOptions<MessagingOptions>>().Value, CommandQueues.SendEmail);

        Assert.Multiple(() =>
        {
            Assert.That(email.Attempts, Is.EqualTo(7));
            Assert.That(email.Retry.MinInterval, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
            Assert.That(email.Retry.MaxInterval, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(email.Retry.Delta, Is.EqualTo(TimeSpan.FromMilliseconds(500)));
            Assert.That(email.ErrorQueue, Is.EqualTo("send-email_error"));
        });
    }
}
