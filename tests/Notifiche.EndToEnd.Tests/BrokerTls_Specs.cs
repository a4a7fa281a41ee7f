using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Issue 16, point 9: a service reaches the broker over TLS (AMQPS) when <c>Messaging:RabbitMq:Tls</c> says so,
/// verifying the broker's certificate against the configured CA — and not at all when it cannot verify it.
/// A real RabbitMQ node with a TLS listener (<see cref="TlsBroker"/>) and a service composed as its Program.cs does.
/// </summary>
public class Connecting_to_the_broker_over_tls
{
    private TlsBroker _broker = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _broker = await TlsBroker.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [Test]
    public async Task Should_connect_with_tls_to_a_broker_whose_ca_it_is_given()
    {
        await using var service = await StartDispatcherAsync(new Dictionary<string, string?>
        {
            ["Messaging:RabbitMq:Tls:Enabled"] = "true",
            ["Messaging:RabbitMq:Tls:ServerName"] = "localhost",
            ["Messaging:RabbitMq:Tls:CaCertificatePath"] = _broker.CaFile,
        });

        Assert.That(await ReadyWithinAsync(service, TimeSpan.FromSeconds(60)), Is.True, "the bus connected");
        using var management = _broker.Node.ManagementApi(TimeSpan.FromSeconds(10));
        var connections = await Eventually.Until(async () => JsonDocument.Parse(await management.GetStringAsync("connections")).RootElement.Clone(),
            c => c.GetArrayLength() > 0, TimeSpan.FromSeconds(30), "the broker's connections");
        Assert.That(connections.EnumerateArray().Select(c => (c.GetProperty("ssl").GetBoolean(), c.GetProperty("port").GetInt32())),
            Has.All.EqualTo((true, _broker.TlsPort)), "every connection of the service is a TLS one");
    }

    [Test]
    public void Should_not_connect_to_a_broker_whose_certificate_it_cannot_verify()
    {
        // No CA given: the system's roots do not know the test CA. The service's first connection (the dead-letter
        // topology, before the bus) keeps being refused, and the service gives up starting (after about a minute).
        var failure = Assert.CatchAsync(() => StartDispatcherAsync(new Dictionary<string, string?>
        {
            ["Messaging:RabbitMq:Tls:Enabled"] = "true",
            ["Messaging:RabbitMq:Tls:ServerName"] = "localhost",
        }));

        Assert.That(failure!.GetType().Name, Is.EqualTo("BrokerUnreachableException"));
        Assert.That(failure.ToString(), Does.Contain("The remote certificate was rejected"));
    }

    private async Task<WebApplication> StartDispatcherAsync(Dictionary<string, string?> tls)
    {
        var settings = new TestSettings(new TestBroker([$"127.0.0.1:{_broker.TlsPort}"], "/", "guest", "guest"))
        {
            Overrides = tls,
        }.Dispatcher("unused", new Dictionary<string, string?>(TestDispatchLedger.Sqlite())
        {
            ["Email:Transport"] = "PickupDirectory",
            ["Email:PickupDirectory"] = Path.Combine(Path.GetTempPath(), $"notifiche-tls-mail-{Guid.NewGuid():N}"),
        });
        return await ServiceHosts.StartAsync(ServiceHosts.EmailDispatch, settings, logging => logging.AddProvider(LogCapture.Instance));
    }

    private static async Task<bool> ReadyWithinAsync(WebApplication service, TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = ServiceHosts.ManagementAddress(service), Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
            {
                return true;
            }

            await Task.Delay(500);
        }

        return false;
    }
}
