using Notifiche.Testing;

namespace Notifiche.Dlq.Tests;

/// <summary>
/// Issue 16, point 9: notifiche-dlq reaches a broker over TLS (<c>--tls</c>, <c>--tls-ca</c>), verifying its certificate
/// as the services do, and refuses one it cannot verify. A real RabbitMQ node with a TLS listener (<see cref="TlsBroker"/>).
/// </summary>
public class Reaching_the_broker_over_tls
{
    private TlsBroker _broker = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _broker = await TlsBroker.StartAsync();
        await using var connection = await _broker.Node.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync("send-email_error", durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [Test]
    public async Task Should_list_a_queue_over_tls_with_the_brokers_ca()
    {
        var run = await RunAsync("list", "--queue", "send-email_error", "--tls", "--tls-server-name", "localhost", "--tls-ca", _broker.CaFile);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain("send-email_error: 0 message(s)"));
    }

    [Test]
    public async Task Should_refuse_a_broker_whose_certificate_it_cannot_verify()
    {
        var run = await RunAsync("list", "--queue", "send-email_error", "--tls", "--tls-server-name", "localhost");

        Assert.That(run.ExitCode, Is.Not.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain($"Cannot connect to RabbitMQ at amqps://guest@127.0.0.1:{_broker.TlsPort}"));
        Assert.That(run.Output, Does.Not.Contain("send-email_error: "), "no answer from an unverified broker");
    }

    private Task<ToolRun> RunAsync(params string[] args) => DeadLetterBroker.RunToolAsync("/",
        [.. args, "--host", "127.0.0.1", "--port", _broker.TlsPort.ToString(), "--user", "guest", "--password", "guest",
            "--management-port", _broker.Node.ManagementPort.ToString()]);
}
