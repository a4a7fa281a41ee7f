using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Push.Tests;

/// <summary>The push dispatcher composed as its Program composes it, pointed at an <see cref="FcmStub"/>, with short delays.</summary>
public static class PushTestHost
{
    public static Dictionary<string, string?> Settings(FcmStub stub) => new(TestDispatchLedger.Sqlite())
    {
        ["Push:Provider"] = "Fcm",
        ["Push:Fcm:BaseAddress"] = stub.BaseAddress.ToString(),
        ["Push:Fcm:ProjectId"] = FcmStub.ProjectId,
        ["Push:Fcm:CredentialsFile"] = stub.CredentialsFile,
        ["Push:Resilience:MaxRetryAttempts"] = "2",
        ["Push:Resilience:RetryDelay"] = "00:00:00.050",
        // Room for a first call that JIT-compiles the HTTP stack on a loaded 2-core machine (1 s, then 2 s, were seen to
        // time out there, turning a sent message into an unknown outcome); the too-late spec sets its own.
        ["Push:Resilience:AttemptTimeout"] = "00:00:15",
        ["Push:Resilience:CircuitBreakDuration"] = "00:00:01",
        ["Messaging:Transport"] = "InMemory",
        // Three retries, about 0.4 s, 0.6 s and 1 s apart, instead of the product's half hour.
        ["Messaging:ProviderRetry:Limit"] = "3",
        ["Messaging:ProviderRetry:MinInterval"] = "00:00:00.2",
        ["Messaging:ProviderRetry:MaxInterval"] = "00:00:01",
        ["Messaging:ProviderRetry:Delta"] = "00:00:00.2",
    };

    /// <summary>
    /// A host with the dispatcher (<c>AddPushDispatch</c>) and, when <paramref name="withBus"/>, the product's bus
    /// (<c>AddNotificheBus</c>, its retry and kill switch as configured) observed by MassTransit's test harness.
    /// </summary>
    public static IHost Build(Dictionary<string, string?> settings, bool withBus = false)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPushDispatch();
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
