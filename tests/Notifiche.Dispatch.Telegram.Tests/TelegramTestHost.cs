using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Telegram.Tests;

/// <summary>The Telegram dispatcher composed as its Program composes it, pointed at a <see cref="TelegramStub"/>, with short delays.</summary>
public static class TelegramTestHost
{
    public static Dictionary<string, string?> Settings(TelegramStub stub)
    {
        var settings = new Dictionary<string, string?>(TestDispatchLedger.Sqlite());
        foreach (var (key, value) in stub.DispatcherSettings())
        {
            settings[key] = value;
        }

        settings["Telegram:Resilience:MaxRetryAttempts"] = "2";
        // Room for a first call that JIT-compiles the HTTP stack on a loaded 2-core machine.
        settings["Telegram:Resilience:AttemptTimeout"] = "00:00:15";
        settings["Telegram:Resilience:CircuitBreakDuration"] = "00:00:01";
        settings["Messaging:Transport"] = "InMemory";
        // One retry after 0.1 s instead of the product's half hour; a spec may set its own.
        settings["Messaging:ProviderRetry:Limit"] = "1";
        settings["Messaging:ProviderRetry:MinInterval"] = "00:00:00.1";
        settings["Messaging:ProviderRetry:MaxInterval"] = "00:00:00.1";
        settings["Messaging:ProviderRetry:Delta"] = "00:00:00";
        return settings;
    }

    /// <summary>
    /// A host with the dispatcher (<c>AddTelegramDispatch</c>) and, when <paramref name="withBus"/>, the product's bus
    /// (<c>AddNotificheBus</c>, its retry and kill switch as configured) observed by MassTransit's test harness.
    /// </summary>
    public static IHost Build(Dictionary<string, string?> settings, bool withBus = false)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(LogCapture.Instance);
        builder.AddTelegramDispatch();
        if (withBus)
        {
            builder.AddNotificheBus();
            builder.Services.AddMassTransitTestHarness();
        }

        return builder.Build();
    }
}
