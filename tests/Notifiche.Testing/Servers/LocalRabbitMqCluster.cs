using System.Net.Http.Json;
using System.Text.Json;

namespace Notifiche.Testing.Servers;

/// <summary>One quorum queue as the cluster reports it: depth, the node leading it and the nodes holding its replicas.</summary>
public sealed record QuorumQueue(string Name, long Messages, string? Leader, IReadOnlyList<string> Members, IReadOnlyList<string> Online);

/// <summary>
/// A RabbitMQ cluster on this machine: <see cref="LocalRabbitMq"/> nodes with their own names and ports, one private
/// epmd and one Erlang cookie, joined as an operator does (<c>stop_app</c>, <c>join_cluster</c>, <c>start_app</c>).
/// Queues declared once it has formed get a replica on every node (RabbitMQ's default quorum initial group size is the
/// cluster's size, up to <c>quorum_cluster_size</c> = 3); the scenarios kill and restart single nodes.
/// </summary>
public sealed class LocalRabbitMqCluster : IAsyncDisposable
{
    // The cluster settings the deployment relies on (deploy/kubernetes/rabbitmq-cluster.yaml) on top of a single node's
    // (LocalRabbitMq); default_queue_type needs RabbitMQ 3.13, and the services declare quorum queues anyway.
    private const string ClusterConfig = """
        queue_leader_locator = balanced
        cluster_partition_handling = pause_minority
        """;

    private readonly ErlangPortMapper _epmd;

    private LocalRabbitMqCluster(IReadOnlyList<LocalRabbitMq> nodes, ErlangPortMapper epmd)
    {
        Nodes = nodes;
        _epmd = epmd;
    }

    public IReadOnlyList<LocalRabbitMq> Nodes { get; }

    /// <summary>Starts <paramref name="size"/> nodes at once, then joins every other node to the first.</summary>
    public static async Task<LocalRabbitMqCluster> StartNewAsync(int size, TimeSpan? startTimeout = null, CancellationToken cancellation = default)
    {
        var epmd = new ErlangPortMapper();
        var cookie = LocalRabbitMq.NewErlangCookie();
        var nodes = Enumerable.Range(1, size)
            .Select(i => LocalRabbitMq.Configure($"notifiche-cluster-{i}", epmd, ownsEpmd: false, cookie, ClusterConfig))
            .ToList();
        var cluster = new LocalRabbitMqCluster(nodes, epmd);
        try
        {
            await Task.WhenAll(nodes.Select(n => n.StartAsync(startTimeout, cancellation)));
            // One at a time: each join changes the cluster's membership, which RabbitMQ does not do concurrently.
            foreach (var node in nodes.Skip(1))
            {
                await node.JoinAsync(nodes[0]);
            }

            await Wait.UntilAsync(async () => (await cluster.RunningNodesAsync()).Count == size, () => null, TimeSpan.FromSeconds(60),
                $"all {size} nodes running in one cluster", cancellation);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The nodes the cluster reports running (asked of a node that is up).</summary>
    public async Task<IReadOnlyList<string>> RunningNodesAsync()
    {
        using var api = Api();
        var nodes = await api.GetFromJsonAsync<JsonElement>("nodes");
        return nodes.EnumerateArray().Where(n => n.GetProperty("running").GetBoolean()).Select(n => n.GetProperty("name").GetString()!).ToList();
    }

    /// <summary>The quorum queues of the virtual host <c>/</c>, as a node that is up reports them.</summary>
    public async Task<IReadOnlyList<QuorumQueue>> QuorumQueuesAsync()
    {
        using var api = Api();
        var queues = await api.GetFromJsonAsync<JsonElement>("queues/%2F");
        return queues.EnumerateArray().Where(q => q.GetProperty("type").GetString() == "quorum").Select(q => new QuorumQueue(
            q.GetProperty("name").GetString()!,
            q.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Number ? messages.GetInt64() : 0,
            q.TryGetProperty("leader", out var leader) ? leader.GetString() : null,
            Names(q, "members"),
            Names(q, "online"))).ToList();
    }

    /// <summary>The names of the connections open on each running node (a client sets its own name, e.g. the service's).</summary>
    public async Task<IReadOnlyList<(string Name, string Node)>> ConnectionsAsync()
    {
        using var api = Api();
        var connections = await api.GetFromJsonAsync<JsonElement>("connections");
        return connections.EnumerateArray()
            .Select(c => (c.TryGetProperty("client_properties", out var client) && client.TryGetProperty("connection_name", out var name)
                ? name.GetString() ?? string.Empty : string.Empty, c.GetProperty("node").GetString()!))
            .ToList();
    }

    public LocalRabbitMq Named(string node) => Nodes.Single(n => n.Node == node);

    private static List<string> Names(JsonElement queue, string property) =>
        queue.TryGetProperty(property, out var names) && names.ValueKind == JsonValueKind.Array
            ? names.EnumerateArray().Select(n => n.GetString()!).ToList()
            : [];

    // Any running node answers for the whole cluster.
    private HttpClient Api()
    {
        var node = Nodes.FirstOrDefault(n => n.IsRunning) ?? throw new InvalidOperationException("no node of the cluster is running");
        return node.ManagementApi(TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.DisposeAsync().AsTask()));
        _epmd.Dispose();
    }
}
