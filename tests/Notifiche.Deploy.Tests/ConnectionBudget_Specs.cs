using Npgsql;

namespace Notifiche.Deploy.Tests;

public class Fitting_the_postgresql_connection_budget
{
    /// <summary>Share of max_connections the services may take: the rest is for the operator, psql, monitoring and migrations.</summary>
    private const double ServicesShare = 0.85;

    private static readonly KubernetesManifests Manifests = KubernetesManifests.Load();

    /// <summary>Each Deployment's most replicas (its ScaledObject's maxReplicaCount, else replicas) and largest pool.</summary>
    private static List<(string Deployment, int Replicas, int Pool)> Pools() =>
    [
        .. from deployment in Manifests.OfKind("Deployment")
        let name = deployment.Text("metadata.name")!
        let scaler = Manifests.OfKind("ScaledObject").SingleOrDefault(s => s.Text("spec.scaleTargetRef.name") == name)
        let replicas = int.Parse(scaler?.Text("spec.maxReplicaCount") ?? deployment.Text("spec.replicas") ?? "1")
        let pools = ConnectionStrings(deployment).Select(c => new NpgsqlConnectionStringBuilder(c).MaxPoolSize).ToList()
        where pools.Count > 0
        select (name, replicas, pools.Sum()),
    ];

    private static IEnumerable<string> ConnectionStrings(Dictionary<object, object?> deployment) =>
        KubernetesManifests.Container(deployment).List("envFrom").Maps()
            .Select(f => f.Text("configMapRef.name"))
            .OfType<string>()
            .Select(name => Manifests.Named("ConfigMap", name)!.Map("data"))
            .SelectMany(data => data.Where(kv => kv.Key.ToString()!.StartsWith("ConnectionStrings__", StringComparison.Ordinal)))
            .Select(kv => kv.Value!.ToString()!);

    [Test]
    public void Should_keep_every_replicas_pool_at_the_most_replicas_under_max_connections_with_headroom()
    {
        var maxConnections = int.Parse(Manifests.Named("Cluster", "notifiche-postgres")!.Text("spec.postgresql.parameters.max_connections")!);
        var pools = Pools();
        var total = pools.Sum(p => p.Replicas * p.Pool);

        TestContext.Out.WriteLine(string.Join("\n", pools.Select(p => $"{p.Deployment}: {p.Replicas} × {p.Pool} = {p.Replicas * p.Pool}")));
        Assert.That(pools.Select(p => p.Deployment), Is.EquivalentTo(new[]
        {
            "notifiche-gateway", "notifiche-preferences", "notifiche-dispatch-email", "notifiche-dispatch-sms", "notifiche-dispatch-push",
            "notifiche-dispatch-telegram",
        }), "every service that connects to PostgreSQL is counted");
        Assert.That(total, Is.LessThanOrEqualTo(maxConnections * ServicesShare), $"{total} connections against max_connections {maxConnections}");
    }

    [Test]
    public void Should_state_the_same_sum_in_the_deploy_readme()
    {
        var readme = Repository.Read("deploy", "README.md");

        Assert.Multiple(() =>
        {
            foreach (var (deployment, replicas, pool) in Pools())
            {
                Assert.That(readme, Does.Match($"\\| `{deployment}` \\| {replicas} [^|]*\\| {pool} \\| {replicas * pool} \\|"), deployment);
            }

            Assert.That(readme, Does.Contain($"| total | | | {Pools().Sum(p => p.Replicas * p.Pool)} |"));
        });
    }
}
