using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Sms.Tests;

/// <summary>The SMS dispatcher composed as its Program composes it, pointed at a <see cref="TwilioStub"/>, with short delays.</summary>
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
        // Room for a first call that JIT-compiles the HTTP stack on a loaded 2-core machine (1 s, then 2 s, were seen to
        // time out there, turning a sent message into an unknown outcome); the too-late spec sets its own.
        ["Sms:Resilience:AttemptTimeout"] = "00:00:15",
        ["Sms:Resilience:CircuitBreakDuration"] = "00:00:01",
        ["Messaging:Transport"] = "InMemory",
        // One retry after 0.1 s (±25 %) instead of the product's half hour; a spec may set its own.
        ["Messaging:ProviderRetry:Limit"] = "1",
        ["Messaging:ProviderRetry:MinInterval"] = "00:00:00.1",
        ["Messaging:ProviderRetry:MaxInterval"] = "00:00:00.1",
        ["Messaging:ProviderRetry:Delta"] = "00:00:00",
    };

    /// <summary>
    /// A host with the dispatcher (<c>AddSmsDispatch</c>) and, when <paramref name="withBus"/>, the product's bus
    /// (<c>AddNotificheBus</c>, its retry and kill switch as configured) observed by MassTransit's test harness.
    /// </summary>
    public static IHost Build(Dictionary<string, string?> settings, bool withBus = false)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddSmsDispatch();
        if (withBus)
        {
            builder.AddNotificheBus();
            // Keeps the registrations above (consumers, definitions, the endpoints' retry, observers) and swaps the
            // bus for the harness's in-memory one, which is configured as ours (ConfigureEndpoints), plus observation.
            builder.Services.AddMassTransitTestHarness();
        }

        return builder.Build();
    }
}
