using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifiche.Dispatch.Email;
using Notifiche.Dispatch.Push;
using Notifiche.Dispatch.Sms;
using Notifiche.Dispatch.Telegram;
using Notifiche.Gateway;
using Notifiche.Messaging;
using Notifiche.Preferences;
using Notifiche.ServiceDefaults;

namespace Notifiche.Testing;

/// <summary>
/// Runs a service in-process as a real ASP.NET Core host (Kestrel on a free loopback port), composed with exactly the
/// calls of its Program.cs (<c>Add…()</c>, <c>AddNotificheBus()</c>, <c>Map…()</c>); only the configuration differs
/// (<see cref="TestSettings"/>). Used by <see cref="PlatformHosts"/> and the benchmark.
/// </summary>
public static class ServiceHosts
{
    public const string Gateway = "Notifiche.Gateway";
    public const string Preferences = "Notifiche.Preferences";
    public const string EmailDispatch = "Notifiche.Dispatch.Email";
    public const string SmsDispatch = "Notifiche.Dispatch.Sms";
    public const string PushDispatch = "Notifiche.Dispatch.Push";
    public const string TelegramDispatch = "Notifiche.Dispatch.Telegram";

    private static readonly Lazy<string> EmptyContentRoot = new(() => Directory.CreateTempSubdirectory("notifiche-host-").FullName);

    private static readonly Dictionary<string, (Action<WebApplicationBuilder> Add, Action<WebApplication> Map)> Compositions = new()
    {
        [Gateway] = (b => b.AddGateway(), app => app.MapGateway()),
        [Preferences] = (b => b.AddPreferences(), app => app.MapPreferences()),
        [EmailDispatch] = (b => b.AddEmailDispatch(), app => app.MapEmailDispatch()),
        [SmsDispatch] = (b => b.AddSmsDispatch(), app => app.MapSmsDispatch()),
        [PushDispatch] = (b => b.AddPushDispatch(), app => app.MapPushDispatch()),
        [TelegramDispatch] = (b => b.AddTelegramDispatch(), app => app.MapTelegramDispatch()),
    };

    /// <summary>
    /// Builds and starts <paramref name="service"/> (an application name above) with <paramref name="settings"/>; its
    /// database is migrated before it answers. <paramref name="logging"/> replaces the default providers (test capture,
    /// console); the environment is <paramref name="environment"/>. <paramref name="services"/> replaces registrations after
    /// the composition (a spec's fake <see cref="TimeProvider"/>); nothing else differs from Program.cs.
    /// </summary>
    public static async Task<WebApplication> StartAsync(string service, IReadOnlyDictionary<string, string?> settings,
        Action<ILoggingBuilder> logging, string environment = "Testing", Action<IServiceCollection>? services = null)
    {
        var (add, map) = Compositions[service];
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = service,
            EnvironmentName = environment,
            // An empty content root: no appsettings.json of whichever service happened to be copied into the output.
            ContentRootPath = EmptyContentRoot.Value,
        });
        // A public port Kestrel picks and a free management port (settings may name both: a restarted gateway keeps its own).
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            [ManagementPort.PortKey] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        logging(builder.Logging);
        add(builder);
        builder.AddNotificheBus();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        map(app);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    /// <summary>A started host's public address (its API).</summary>
    public static Uri PublicAddress(WebApplication app) => Address(app, management: false);

    /// <summary>A started host's management address: <c>/metrics</c>, <c>/health/*</c> and the gateway's admin API.</summary>
    public static Uri ManagementAddress(WebApplication app) => Address(app, management: true);

    private static Uri Address(WebApplication app, bool management)
    {
        var port = ManagementPort.Of(app.Configuration);
        return app.Urls.Select(u => new Uri(u)).First(u => (u.Port == port) == management);
    }
}
