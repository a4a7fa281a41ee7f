using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Notifiche.Faults.Tests;
using Notifiche.Messaging;
using Notifiche.Testing;

// Not Notifiche.Faults.Tests: that namespace's set-up fixture starts the single-node stack, which these specs do not
// want running beside their own cluster (the machine is small), nor as the Batch's current stack.
namespace Notifiche.Faults.Cluster;

/// <summary>
/// Issue 13, point 9: the platform on a three-node RabbitMQ cluster (quorum queues with a replica on every node), the
/// services given every node. Under load the node leading the busiest quorum queue is killed; the queues elect leaders
/// on the survivors, the services reconnect to them and keep delivering; the node comes back and rejoins. Reconciled
/// like every fault scenario: nothing lost, nothing twice, nothing failed.
/// </summary>
public class Under_a_cluster_node_failure
{
    private const int Notices = 120;
    private static readonly string[] WorkQueues = ["notice-submitted", CommandQueues.SendEmail, CommandQueues.SendSms, CommandQueues.SendPush];
    private FaultStack _stack = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        _stack = await FaultStack.StartOnClusterAsync(nodes: 3);
        Report($"s9-cluster: three nodes and five services up in {watch.Elapsed.TotalSeconds:0} s");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_stack is not null)
        {
            await _stack.StopAsync();
        }
    }

    [Test]
    public async Task Scenario_9_the_node_leading_the_busiest_quorum_queue_killed_under_load_then_restarted()
    {
        var cluster = _stack.Cluster!;
        var declared = await cluster.QuorumQueuesAsync();
        Assert.That(WorkQueues.Select(name => declared.SingleOrDefault(q => q.Name == name)?.Members.Count), Has.All.EqualTo(3),
            "every work queue has a replica on each of the three nodes");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var batch = await Batch.CreateAsync("s9-cluster", Notices, allChannels: true);
        var planned = Notices * 3;
        var submitting = batch.SubmitAllAsync();
        await WaitAsync(() => Delivered() >= planned / 6, "the batch flowing through every stage");

        var queues = await cluster.QuorumQueuesAsync();
        var busiest = queues.Where(q => WorkQueues.Contains(q.Name)).OrderByDescending(q => q.Messages)
            .ThenBy(q => Array.IndexOf(WorkQueues, q.Name)).First();
        var victim = cluster.Named(busiest.Leader ?? throw new InvalidOperationException($"{busiest.Name} reports no leader"));
        var survivors = cluster.Nodes.Where(n => n != victim).Select(n => n.Node).ToList();
        var deliveredAtKill = Delivered();
        await victim.KillAsync();
        var killedAt = watch.Elapsed;
        var inFlight = await ClaimsInFlightAsync();
        Report($"killed {victim.Node}: leader of {busiest.Name} ({busiest.Messages} messages) and of "
            + $"{queues.Count(q => q.Leader == victim.Node)} of {queues.Count} quorum queues; {deliveredAtKill} of {planned} delivered, "
            + $"{batch.Accepted} of {Notices} accepted, {inFlight} provider calls in flight");

        // Failover: the survivors elect a new leader, every service reconnects to one of them, and deliveries go on.
        await Eventually.Until(() => Safely(cluster.QuorumQueuesAsync), now => now.SingleOrDefault(q => q.Name == busiest.Name)?.Leader is { } leader
            && survivors.Contains(leader), TimeSpan.FromSeconds(60), $"a new leader of {busiest.Name} on a surviving node");
        await Eventually.Until(() => Safely(cluster.ConnectionsAsync), connections => _stack.Services.All(s =>
            connections.Any(c => c.Name == s.Name && survivors.Contains(c.Node))), TimeSpan.FromSeconds(120),
            "every service connected to a surviving node");
        await WaitAsync(() => Delivered() >= Math.Min(planned, deliveredAtKill + planned / 6), "deliveries going on with one node down");

        var failedOver = watch.Elapsed;
        await victim.StartAsync();
        await Eventually.Until(() => Safely(cluster.QuorumQueuesAsync), now => WorkQueues.All(name =>
            now.SingleOrDefault(q => q.Name == name)?.Online.Contains(victim.Node) == true), TimeSpan.FromSeconds(120),
            $"{victim.Node} back in the cluster with its replica of every work queue");
        var backAt = watch.Elapsed;
        await submitting;

        var line = await batch.ReconcileAsync();
        Report($"ledger s9-cluster: {inFlight} in flight at the kill; killed at {killedAt.TotalSeconds:0} s, failed over and delivering by "
            + $"{failedOver.TotalSeconds:0} s, node back by {backAt.TotalSeconds:0} s, reconciled at {watch.Elapsed.TotalSeconds:0} s");
        Assert.Multiple(() =>
        {
            Assert.That(line.Submitted, Is.EqualTo(Notices), "every notice was accepted");
            Assert.That(line.Lost, Is.Zero, $"lost: {string.Join("; ", line.Problems.Take(10))}");
            Assert.That(line.Duplicates, Is.Zero, $"duplicates: {string.Join("; ", line.Problems.Take(10))}");
            // MassTransit cancels every consume in progress on a channel the broker closed (a dead node's connections); the
            // provider calls in flight finish anyway and their redelivered commands replay the outcome: nothing fails.
            Assert.That(line.Failed, Is.Zero, $"failed: {string.Join(", ", line.FailureReasons.Select(r => $"{r.Value}× {r.Key}"))}");
        });
    }

    /// <summary>Dispatches claimed and not finished in the three dispatchers' ledgers: provider calls in progress.</summary>
    private async Task<long> ClaimsInFlightAsync()
    {
        long claims = 0;
        foreach (var ledger in new[] { "dispatch_email", "dispatch_sms", "dispatch_push" })
        {
            claims += await _stack.Database.ScalarAsync(ledger, "SELECT count(*) FROM dispatches WHERE state = 'SENDING'");
        }

        return claims;
    }

    private static void Report(string line)
    {
        TestContext.Progress.WriteLine(line);
        TestContext.Out.WriteLine(line);
    }

    private int Delivered() => _stack.Smtp.Count() + _stack.Twilio.Accepted.Count + _stack.Fcm.Delivered.Count;

    private static Task WaitAsync(Func<bool> condition, string what) => Eventually.Holds(condition, TimeSpan.FromSeconds(120), what);

    // The management API may refuse a request while the cluster notices a node is gone: the probe asks again.
    private static async Task<IReadOnlyList<T>> Safely<T>(Func<Task<IReadOnlyList<T>>> probe)
    {
        try
        {
            return await probe();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return [];
        }
    }
}

/// <summary>How a service is told the nodes of a cluster (<c>Messaging:RabbitMq:Hosts</c>), and what it says when that is wrong.</summary>
public class Configuring_the_cluster_nodes
{
    [Test]
    public void Should_connect_to_every_node_listed_with_the_default_port_where_none_is_given()
    {
        var options = Bind(new() { ["Messaging:RabbitMq:Hosts:0"] = "rabbit-0", ["Messaging:RabbitMq:Hosts:1"] = "rabbit-1:5673",
            ["Messaging:RabbitMq:Port"] = "5671" });

        Assert.That(options.RabbitMq.Nodes(), Is.EqualTo(new[] { new BrokerNode("rabbit-0", 5671), new BrokerNode("rabbit-1", 5673) }));
    }

    [Test]
    public void Should_connect_to_the_single_host_when_no_nodes_are_listed()
    {
        var options = Bind(new() { ["Messaging:RabbitMq:Host"] = "rabbit", ["Messaging:RabbitMq:Port"] = "5673" });

        Assert.That(options.RabbitMq.Nodes(), Is.EqualTo(new[] { new BrokerNode("rabbit", 5673) }));
    }

    [TestCase("rabbit-1:0")]
    [TestCase("rabbit-1:65536")]
    [TestCase("rabbit-1:amqp")]
    [TestCase("")]
    [TestCase("fe80::1")]
    public void Should_refuse_to_start_naming_the_malformed_node(string node)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:RabbitMq:Hosts:0"] = "rabbit-0", ["Messaging:RabbitMq:Hosts:1"] = node,
        });
        builder.AddNotificheBus();

        // The host refuses as soon as it reads the options, which today is while it is built.
        var refusal = Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            using var host = builder.Build();
            await host.StartAsync();
        });
        Assert.That(refusal!.Message, Does.Contain($"Messaging:RabbitMq:Hosts:1 is '{node}'"));
    }

    private static MessagingOptions Bind(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(MessagingOptions.Section).Get<MessagingOptions>()!;
}
