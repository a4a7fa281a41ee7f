using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

/// <summary>One running platform (real hosts on RabbitMQ, PostgreSQL, SMTP and the provider stubs) for the specs of this assembly.</summary>
[SetUpFixture]
public sealed class Platform
{
    private static PlatformHosts? _hosts;

    public static PlatformHosts Hosts => _hosts ?? throw new InvalidOperationException("platform not started");

    [OneTimeSetUp]
    public async Task StartAsync() => _hosts = await PlatformHosts.StartAsync("inbox");

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_hosts is not null)
        {
            await _hosts.DisposeAsync();
        }
    }
}
