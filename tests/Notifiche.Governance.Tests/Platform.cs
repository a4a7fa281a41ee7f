using Notifiche.Testing;

namespace Notifiche.Governance.Tests;

/// <summary>One running platform (real hosts on the RabbitMQ, PostgreSQL and SMTP servers) for every spec of this assembly.</summary>
[SetUpFixture]
public sealed class Platform
{
    private static PlatformHosts? _hosts;

    public static PlatformHosts Hosts => _hosts ?? throw new InvalidOperationException("platform not started");

    [OneTimeSetUp]
    public async Task StartAsync() => _hosts = await PlatformHosts.StartAsync("gov");

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_hosts is not null)
        {
            await _hosts.DisposeAsync();
        }
    }
}
