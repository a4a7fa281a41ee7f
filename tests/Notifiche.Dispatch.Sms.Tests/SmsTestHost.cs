using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Sms.Tests;

/// <summary>The SMS dispatcher composed as a host would (<c>AddSmsDispatch</c>), pointed at a <see cref="TwilioStub"/>, with short resilience delays.</summary>
public static class SmsTestHost
{
    public static Dictionary<string, string?> Settings(TwilioStub stub) => new(TestDispatchLedger.Sqlite())
    {
        ["Sms:Provider"] = "Twilio",
        ["Sms:MaxSegments"] = "2",
        ["Sms:PricePerSegmentEuro"] = "0.07",
        ["Sms:Twilio:BaseAddress"] = stub.BaseAddress.ToString(),
        ["Sms:Twilio:AccountSid"] = TwilioStub.AccountSid,
        ["Sms:Twilio:AuthToken"] = TwilioStub.AuthToken,
        ["Sms:Twilio:From"] = "Notifiche",
        ["Sms:Resilience:MaxRetryAttempts"] = "2",
        ["Sms:Resilience:RetryDelay"] = "00:00:00.050",
        ["Sms:Resilience:AttemptTimeout"] = "00:00:01",
        ["Sms:Resilience:CircuitBreakDuration"] = "00:00:01",
    };

    /// <summary>
    /// A host with the dispatcher and, when <paramref name="withBus"/>, MassTransit's in-memory test harness with the
    /// consumer and the platform's retry policy (as shared/Notifiche.Messaging configures it, with short intervals).
    /// </summary>
    public static IHost Build(Dictionary<string, string?> settings, bool withBus = false, params TimeSpan[] retryIntervals)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddSmsDispatch();
        if (withBus)
        {
            builder.Services.AddMassTransitTestHarness(x =>
            {
                x.AddSmsDispatchConsumers();
                x.AddConfigureEndpointsCallback((context, _, endpoint) =>
                {
                    endpoint.UseMessageRetry(r =>
                    {
                        r.Ignore<PermanentFailureException>();
                        r.Intervals(retryIntervals);
                    });
                    endpoint.UseInMemoryOutbox(context);
                });
            });
        }

        return builder.Build();
    }
}
