using Notifiche.Testing;

namespace Notifiche.Dlq.Tests;

/// <summary>
/// Issue 16, point 9: notifiche-dlq reaches a broker over TLS (<c>--tls</c>, <c>--tls-ca</c>), verifying its certificate
/// as the services do, and refuses one it cannot verify; issue 19, point 6: the management API over HTTPS with the same
/// settings, or its own (<c>--management-tls</c>, <c>--management-tls-ca</c>). A real RabbitMQ node with a TLS listener
/// and an HTTPS management listener (<see cref="TlsBroker"/>).
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

    [Test]
    public async Task Should_list_the_dead_letter_queues_through_the_management_api_over_https_with_the_brokers_ca()
    {
        var run = await DeadLetterBroker.RunToolAsync("/", "list", "--tls", "--tls-server-name", "localhost", "--tls-ca", _broker.CaFile,
            "--host", "127.0.0.1", "--port", _broker.TlsPort.ToString(), "--user", "guest", "--password", "guest",
            "--management-port", _broker.ManagementTlsPort.ToString());

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output.Split('\n').Single(l => l.TrimStart().StartsWith("send-email_error")), Does.Match(@"send-email_error\s+0\s+send-email"));
    }

    [Test]
    public async Task Should_use_https_with_its_own_ca_for_the_management_api_when_amqp_is_plain()
    {
        var run = await PlainAmqpAsync("list", "--output", "json", "--management-tls", "true", "--management-tls-ca", _broker.CaFile);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        var listed = System.Text.Json.JsonDocument.Parse(run.Output).RootElement;
        Assert.That(listed.GetProperty("queues").EnumerateArray().Select(q => q.GetProperty("name").GetString()), Does.Contain("send-email_error"));
    }

    [Test]
    public async Task Should_refuse_a_management_api_whose_certificate_it_cannot_verify()
    {
        var run = await PlainAmqpAsync("list", "--management-tls", "true");

        Assert.That(run.ExitCode, Is.EqualTo(1), run.Output);
        Assert.That(run.Output, Does.Contain($"Cannot reach the RabbitMQ management API at https://127.0.0.1:{_broker.ManagementTlsPort}/"));
        Assert.That(run.Output, Does.Contain("--management-tls-ca"), "says how to give the CA");
        Assert.That(run.Output, Does.Not.Contain("send-email_error"), "no answer from an unverified management API");
    }

    private Task<ToolRun> PlainAmqpAsync(params string[] args) => DeadLetterBroker.RunToolAsync("/",
        [.. args, "--host", "127.0.0.1", "--port", _broker.Node.Port.ToString(), "--user", "guest", "--password", "guest",
            "--management-port", _broker.ManagementTlsPort.ToString()]);

    private Task<ToolRun> RunAsync(params string[] args) => DeadLetterBroker.RunToolAsync("/",
        [.. args, "--host", "127.0.0.1", "--port", _broker.TlsPort.ToString(), "--user", "guest", "--password", "guest",
            "--management-port", _broker.Node.ManagementPort.ToString()]);
}
