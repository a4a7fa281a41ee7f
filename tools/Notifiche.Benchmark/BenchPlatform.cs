using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Notifiche.Testing;

namespace Notifiche.Benchmark;

/// <summary>
/// The gateway, preferences and email dispatcher as real ASP.NET Core hosts (Kestrel on loopback, RabbitMQ, PostgreSQL,
/// SMTP), composed as each service's Program.cs composes them (tests/Notifiche.Testing's ServiceHosts and TestSettings,
/// as PlatformHosts), but with the services' own defaults (retry, outbox, pool sizes: what production runs), the fast
/// in-process SMTP sink, and an email dispatcher that can be stopped and started again (backlog drain).
/// </summary>
public sealed class BenchPlatform : IAsyncDisposable
{
    private readonly BenchInfrastructure _infrastructure;
    private readonly List<WebApplication> _hosts = [];
    private WebApplication? _email;
    private bool _disposed;

    private BenchPlatform(BenchInfrastructure infrastructure) => _infrastructure = infrastructure;

    public BenchTarget Target { get; private set; } = null!;

    public static async Task<BenchPlatform> StartAsync(BenchOptions options)
    {
        var platform = new BenchPlatform(await BenchInfrastructure.CreateAsync(options, "bench"));
        try
        {
            await platform.StartHostsAsync();
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }

        return platform;
    }

    private async Task StartHostsAsync()
    {
        var gateway = await StartHostAsync(ServiceHosts.Gateway, _infrastructure.Gateway());
        var preferences = await StartHostAsync(ServiceHosts.Preferences, _infrastructure.Preferences());
        await StartEmailDispatcherAsync();
        Target = _infrastructure.Target([ServiceHosts.PublicAddress(gateway)], ServiceHosts.ManagementAddress(gateway), ServiceHosts.PublicAddress(preferences));
    }

    public async Task StartEmailDispatcherAsync()
    {
        if (_email is not null)
        {
            return;
        }

        _email = await StartHostAsync(ServiceHosts.EmailDispatch, _infrastructure.EmailDispatcher());
    }

    public async Task StopEmailDispatcherAsync()
    {
        if (_email is null)
        {
            return;
        }

        _hosts.Remove(_email);
        await _email.StopAsync();
        await _email.DisposeAsync();
        _email = null;
    }

    private async Task<WebApplication> StartHostAsync(string service, Dictionary<string, string?> settings)
    {
        var app = await ServiceHosts.StartAsync(service, settings, logging =>
        {
            logging.AddSimpleConsole(o => o.SingleLine = true);
            logging.SetMinimumLevel(LogLevel.Warning);
        }, environment: "Production");
        _hosts.Add(app);
        return app;
    }

    /// <summary>Stops the hosts and drops the vhost and databases; again, it does nothing (the scale-out phase stops this platform early).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var host in Enumerable.Reverse(_hosts).ToList())
        {
            try
            {
                await host.StopAsync();
                await host.DisposeAsync();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"warning: stopping a host failed: {e.GetType().Name}: {e.Message}");
            }
        }

        _hosts.Clear();
        await _infrastructure.DisposeAsync();
    }
}
