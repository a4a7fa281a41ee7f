using System.Text.RegularExpressions;
using Notifiche.Persistence;
using Notifiche.ServiceDefaults;

namespace Notifiche.Deploy.Tests;

/// <summary>
/// Issue 19, point 5: what keeps a deployment up through node drains, outages and upgrades, checked in the files
/// (no cluster runs here): disruption budgets, topology spread, migration Jobs, network policies, the sample Ingress,
/// compose healthchecks and pinned images.
/// </summary>
public class Hardening_the_deployment
{
    private static readonly KubernetesManifests Manifests = KubernetesManifests.Load();
    private static readonly ComposeFile Compose = ComposeFile.Load();

    private static IEnumerable<TestCaseData> Deployments() =>
        KubernetesManifests.Load().OfKind("Deployment").Select(d => new TestCaseData(d.Text("metadata.name")).SetArgDisplayNames(d.Text("metadata.name")!));

    private static Dictionary<object, object?> Deployment(string name) => Manifests.Named("Deployment", name)!;

    private static Dictionary<object, object?> PodLabels(Dictionary<object, object?> workload) => workload.Map("spec.template.metadata.labels");

    [TestCaseSource(nameof(Deployments))]
    public void Should_give_every_deployment_a_disruption_budget_that_lets_a_drain_proceed(string name)
    {
        var labels = PodLabels(Deployment(name));
        var budgets = Manifests.OfKind("PodDisruptionBudget").Where(b => Selectors.Matches(b.Map("spec.selector"), labels)).ToList();

        Assert.That(budgets, Has.Count.EqualTo(1), "exactly one PodDisruptionBudget selects its pods");
        // maxUnavailable: a dispatcher KEDA scaled to one replica can still be evicted (minAvailable: 1 would block the drain).
        Assert.That(budgets[0].Text("spec.maxUnavailable"), Is.EqualTo("1"));
    }

    [TestCaseSource(nameof(Deployments))]
    public void Should_spread_every_deployment_over_zones_and_nodes(string name)
    {
        var deployment = Deployment(name);
        var spread = deployment.List("spec.template.spec.topologySpreadConstraints").Maps().ToList();

        Assert.That(spread.Select(s => s.Text("topologyKey")), Is.EquivalentTo(new[] { "topology.kubernetes.io/zone", "kubernetes.io/hostname" }));
        Assert.Multiple(() =>
        {
            foreach (var constraint in spread)
            {
                Assert.That(Selectors.Matches(constraint.Map("labelSelector"), PodLabels(deployment)), Is.True, "selects its own pods");
                Assert.That(constraint.Text("whenUnsatisfiable"), Is.EqualTo("ScheduleAnyway"), "a small cluster still schedules");
            }
        });
    }

    [TestCaseSource(nameof(Deployments))]
    public void Should_migrate_every_deployments_databases_in_a_job_with_retries(string name)
    {
        var deployment = Deployment(name);
        var image = KubernetesManifests.Container(deployment).Text("image");
        var jobs = Manifests.OfKind("Job").Where(j => KubernetesManifests.Container(j).Text("image") == image).ToList();

        Assert.That(jobs, Has.Count.EqualTo(1), $"one migration Job runs {image}");
        var job = jobs[0];
        var container = KubernetesManifests.Container(job);
        var databases = Manifests.EnvironmentOf(deployment).Select(v => v.Variable).Where(v => v.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(container.List("args").OfType<string>(), Is.EqualTo(new[] { DatabaseSchemas.MigrateOnlySwitch }));
            Assert.That(int.Parse(job.Text("spec.backoffLimit") ?? "0"), Is.GreaterThanOrEqualTo(3), "retried");
            Assert.That(job.Text("spec.activeDeadlineSeconds"), Is.Not.Null, "bounded");
            Assert.That(job.Text("spec.template.spec.restartPolicy"), Is.EqualTo("Never"));
            Assert.That(databases, Is.Not.Empty);
            Assert.That(Manifests.EnvironmentOf(job).Select(v => v.Variable), Is.SupersetOf(databases).And.Contains("PGPASSWORD"),
                "the Job reaches the same databases as the Deployment");
            Assert.That(container.Text("securityContext.readOnlyRootFilesystem"), Is.EqualTo("true"));
        });
    }

    [Test]
    public void Should_let_only_the_gateway_be_reached_from_outside_and_the_rest_only_from_monitoring()
    {
        var policies = Manifests.OfKind("NetworkPolicy").ToList();
        var pods = Manifests.OfKind("Deployment").Concat(Manifests.OfKind("Job")).ToList();
        Assert.Multiple(() =>
        {
            foreach (var pod in pods)
            {
                var name = pod.Text("metadata.name")!;
                var selecting = policies.Where(p => Selectors.Matches(p.Map("spec.podSelector"), PodLabels(pod))).ToList();
                Assert.That(selecting, Is.Not.Empty, $"{name}: no NetworkPolicy selects it, so everything may reach it");
                var rules = selecting.SelectMany(p => p.List("spec.ingress").Maps()).ToList();
                var open = rules.Where(r => r.List("from").Count == 0).ToList();
                if (name == "notifiche-gateway")
                {
                    Assert.That(open.SelectMany(r => r.List("ports").Maps()).Select(p => p.Text("port")), Is.EqualTo(new[] { "8080" }),
                        "the gateway: its HTTP port from anywhere, not its management port");
                    Assert.That(rules.Except(open).SelectMany(r => r.List("from").Maps()).Select(Namespace), Has.All.EqualTo("monitoring"),
                        "the gateway's management port only from monitoring");
                    continue;
                }

                Assert.That(open, Is.Empty, $"{name}: reachable from anywhere");
                Assert.That(rules.SelectMany(r => r.List("ports").Maps()).Select(p => p.Text("port")), Is.EqualTo(new[] { "8081" }),
                    $"{name}: only its management port, for Prometheus");
                foreach (var peer in rules.SelectMany(r => r.List("from").Maps()))
                {
                    Assert.That(Namespace(peer), Is.EqualTo("monitoring"), $"{name}: only the monitoring namespace");
                }
            }

            var broker = policies.Single(p => Label(p.Map("spec.podSelector.matchLabels"), "app.kubernetes.io/name") == "notifiche-rabbitmq");
            var management = broker.List("spec.ingress").Maps().Where(r => r.List("ports").Maps().Any(p => p.Text("port") == "15672")).ToList();
            Assert.That(management, Is.Not.Empty);
            Assert.That(management.SelectMany(r => r.List("from").Maps()).Select(Namespace), Is.SubsetOf(new[] { "monitoring", "rabbitmq-system" }),
                "the management API only from monitoring (and the operator)");
        });
    }

    private static string? Label(Dictionary<object, object?> labels, string key) => labels.TryGetValue(key, out var v) ? v?.ToString() : null;

    /// <summary>The namespace a NetworkPolicy peer names, or null for a peer in the policy's own namespace.</summary>
    private static string? Namespace(Dictionary<object, object?> peer) =>
        peer.ContainsKey("namespaceSelector") ? Label(peer.Map("namespaceSelector.matchLabels"), "kubernetes.io/metadata.name") ?? "(any)" : null;

    [Test]
    public void Should_route_only_the_public_api_to_the_gateway_over_tls_in_the_sample_ingress()
    {
        var ingress = Manifests.OfKind("Ingress").Single();
        var rules = ingress.List("spec.rules").Maps().ToList();
        var paths = rules.SelectMany(r => r.List("http.paths").Maps()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ingress.List("spec.tls").Maps().SelectMany(t => t.List("hosts").OfType<string>()),
                Is.SupersetOf(rules.Select(r => r.Text("host"))), "every host has TLS");
            Assert.That(ingress.List("spec.tls").Maps().Select(t => t.Text("secretName")), Has.All.Not.Null);
            Assert.That(paths.Select(p => p.Text("backend.service.name")), Has.All.EqualTo("notifiche-gateway"));
            Assert.That(paths.Select(p => p.Text("path")), Has.None.StartsWith("/metrics").And.None.StartsWith("/health")
                .And.None.StartsWith("/api/v1/admin").And.None.EqualTo("/"), "operators' and monitoring paths stay inside");
        });
    }

    [Test]
    public void Should_healthcheck_every_service_in_compose_with_the_services_own_probe()
    {
        Assert.Multiple(() =>
        {
            foreach (var service in Compose.BuiltProjects().Keys)
            {
                var test = string.Join(' ', Compose.Service(service).List("healthcheck.test").OfType<string>());
                Assert.That(test, Does.Contain(HealthProbe.Switch), $"{service}: no healthcheck running the image's {HealthProbe.Switch}");
                Assert.That(Compose.Service(service).Text("healthcheck.interval"), Is.Not.Null, service);
            }
        });
    }

    [Test]
    public void Should_pin_every_image_to_a_version()
    {
        var built = Compose.BuiltProjects().Keys.Select(s => Compose.Service(s).Text("image")!).ToHashSet();
        var images = Compose.Services.Keys().Select(s => (Where: $"compose {s}", Image: Compose.Service(s).Text("image")))
            .Concat(Manifests.OfKind("Deployment").Concat(Manifests.OfKind("Job"))
                .SelectMany(w => w.List("spec.template.spec.containers").Maps().Concat(w.List("spec.template.spec.initContainers").Maps())
                    .Select(c => (Where: $"{w.Text("kind")} {w.Text("metadata.name")}", Image: c.Text("image")))))
            .Concat(Manifests.OfKind("RabbitmqCluster").Select(c => (Where: "RabbitmqCluster", Image: c.Text("spec.image"))))
            .Concat(Manifests.OfKind("Cluster").Select(c => (Where: "Cluster", Image: c.Text("spec.imageName"))))
            .ToList();

        Assert.That(images, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var (where, image) in images)
            {
                Assert.That(image, Is.Not.Null, $"{where}: no image");
                Assert.That(Unpinned(image!, built), Is.Null, $"{where}: {image}");
            }
        });
    }

    /// <summary>
    /// Why an image is not pinned, or null: a tag (not latest); for anything we do not build, a version of at least
    /// major.minor (PostgreSQL's own scheme has no third number: 16.6 is a patch release).
    /// </summary>
    public static string? Unpinned(string image, IReadOnlySet<string> built)
    {
        var name = image.Split('@')[0];
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        if (image.Contains('@'))
        {
            return null; // a digest
        }

        if (colon <= slash)
        {
            return "no tag (latest)";
        }

        var tag = name[(colon + 1)..];
        if (tag == "latest")
        {
            return "latest";
        }

        if (built.Contains(image))
        {
            return null; // built from this repository by compose (kustomize edit set image for a registry)
        }

        return Regex.IsMatch(tag, @"^v?\d+\.\d+") ? null : $"tag {tag} names no major.minor version";
    }

    [TestCase("postgres:16", false)]
    [TestCase("postgres", false)]
    [TestCase("grafana/grafana:latest", false)]
    [TestCase("rabbitmq:3-management", false)]
    [TestCase("postgres:16.6", true)]
    [TestCase("rabbitmq:3.13.7-management", true)]
    [TestCase("prom/prometheus:v3.1.0", true)]
    [TestCase("localhost:5000/postgres", false)]
    [TestCase("postgres@sha256:0123", true)]
    public void Should_tell_a_pinned_image_from_a_floating_one(string image, bool pinned) =>
        Assert.That(Unpinned(image, new HashSet<string>()) is null, Is.EqualTo(pinned));
}

/// <summary>Kubernetes label selectors: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist).</summary>
public static class Selectors
{
    public static bool Matches(Dictionary<object, object?> selector, Dictionary<object, object?> labels)
    {
        string? Label(string key) => labels.TryGetValue(key, out var v) ? v?.ToString() : null;
        var matchLabels = selector.Map("matchLabels");
        foreach (var (key, value) in matchLabels)
        {
            if (Label(key.ToString()!) != value?.ToString())
            {
                return false;
            }
        }

        foreach (var expression in selector.List("matchExpressions").Maps())
        {
            var value = Label(expression.Text("key")!);
            var values = expression.List("values").Select(v => v?.ToString()).ToList();
            var ok = expression.Text("operator") switch
            {
                "In" => value is not null && values.Contains(value),
                "NotIn" => value is null || !values.Contains(value),
                "Exists" => value is not null,
                "DoesNotExist" => value is null,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
