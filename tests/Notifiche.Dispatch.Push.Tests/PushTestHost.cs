using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Push.Tests;

/// <summary>The push dispatcher composed as a host would (<c>AddPushDispatch</c>), pointed at an <see cref="FcmStub"/>, with short resilience delays.</summary>
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
        ["Push:Resilience:AttemptTimeout"] = "00:00:02",
        ["Push:Resilience:CircuitBreakDuration"] = "00:00:01",
    };

    /// <summary>A host with the dispatcher and, when <paramref name="withBus"/>, MassTransit's in-memory test harness with the platform's retry policy.</summary>
    public static IHost Build(Dictionary<string, string?> settings, bool withBus = false, params TimeSpan[] retryIntervals)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPushDispatch();
        if (withBus)
        {
            builder.Services.AddMassTransitTestHarness(x =>
            {
                x.AddPushDispatchConsumers();
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
