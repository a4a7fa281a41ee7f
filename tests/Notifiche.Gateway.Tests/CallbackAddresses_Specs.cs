using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Gateway.Callbacks;
using Notifiche.Messaging;

namespace Notifiche.Gateway.Tests;

/// <summary>A service cannot make the gateway reach what is not public (issue 16: callbacks as a probe into the network).</summary>
public class Reaching_a_callback_address
{
    private static CallbackAddresses Guard(params string[] allowed) =>
        new(Options.Create(new CallbackOptions { AllowedNetworks = [.. allowed] }));

    [TestCase("169.254.169.254")]
    [TestCase("10.1.2.3")]
    [TestCase("172.20.0.5")]
    [TestCase("192.168.1.10")]
    [TestCase("100.64.0.1")]
    [TestCase("127.0.0.1")]
    [TestCase("0.0.0.0")]
    [TestCase("::1")]
    [TestCase("fd00::1")]
    [TestCase("fe80::1")]
    [TestCase("::ffff:10.0.0.1")]
    public void Should_refuse_an_address_that_is_not_public(string address) =>
        Assert.That(Guard().IsAllowed(IPAddress.Parse(address)), Is.False);

    [TestCase("93.184.215.14")]
    [TestCase("2a00:1450:4002:402::200e")]
    public void Should_allow_a_public_address(string address) =>
        Assert.That(Guard().IsAllowed(IPAddress.Parse(address)), Is.True);

    [Test]
    public void Should_allow_a_network_the_operator_listed()
    {
        var guard = Guard("10.20.0.0/16");
        Assert.That(guard.IsAllowed(IPAddress.Parse("10.20.3.4")), Is.True);
        Assert.That(guard.IsAllowed(IPAddress.Parse("10.21.3.4")), Is.False);
    }

    [TestCase("https://169.254.169.254/latest/meta-data/", false)]
    [TestCase("https://[fd00::1]/hook", false)]
    [TestCase("https://localhost:8443/hook", false)]
    [TestCase("https://hooks.comune.example.it/notifiche", true)]
    public void Should_judge_a_registered_url_by_its_literal_host(string url, bool allowed) =>
        Assert.That(Guard().IsAllowed(new Uri(url)), Is.EqualTo(allowed));

    [Test]
    public async Task Should_not_even_connect_to_a_name_that_resolves_to_loopback_and_fail_the_callback_for_good()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectCallback = Guard().ConnectAsync });
        var sender = new StatusCallbackSender(http, TimeProvider.System);

        Assert.That(() => sender.PostAsync(Callback($"http://localhost:{port}/hook"), Change(), CancellationToken.None),
            Throws.InstanceOf<PermanentFailureException>().With.Message.Contains("not allowed"));
        await Task.Delay(200);
        Assert.That(listener.Pending(), Is.False, "no connection reached the listener");
    }

    [Test]
    public async Task Should_connect_to_an_allowed_network()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectCallback = Guard("127.0.0.0/8").ConnectAsync })
        {
            Timeout = TimeSpan.FromSeconds(2),
        };
        var sender = new StatusCallbackSender(http, TimeProvider.System);

        // The listener never answers: the call times out (transient), but the connection was made.
        Assert.That(() => sender.PostAsync(Callback($"http://127.0.0.1:{port}/hook"), Change(), CancellationToken.None),
            Throws.InstanceOf<TransientFailureException>());
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(accepted.Connected, Is.True);
    }

    private static StatusCallback Callback(string url) => new() { ServiceId = "anagrafe", Url = url, Secret = new string('s', 32) };

    private static NoticeStatusChanged Change() => new()
    {
        NoticeId = Guid.NewGuid(), ServiceId = "anagrafe", Status = "ACCEPTED", ChangedAt = DateTimeOffset.UtcNow,
    };
}
