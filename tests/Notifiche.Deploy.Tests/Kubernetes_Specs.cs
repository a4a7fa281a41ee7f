using Notifiche.Messaging;

namespace Notifiche.Deploy.Tests;

public class The_kubernetes_manifests
{
    private static readonly KubernetesManifests Manifests = KubernetesManifests.Load();
    private static readonly ComposeFile Compose = ComposeFile.Load();

    private static IEnumerable<TestCaseData> Deployments() =>
        KubernetesManifests.Load().OfKind("Deployment").Select(d => new TestCaseData(d.Text("metadata.name")).SetArgDisplayNames(d.Text("metadata.name")!));

    private static Dictionary<object, object?> Deployment(string name) => Manifests.Named("Deployment", name)!;

    [Test]
    public void Should_all_be_listed_in_the_kustomization() => Assert.That(Manifests.UnlistedFiles(), Is.Empty);

    [Test]
    public void Should_all_go_to_the_notifiche_namespace()
    {
        Assert.That(Manifests.Kustomization.Text("namespace"), Is.EqualTo("notifiche"));
        Assert.That(Manifests.OfKind("Namespace").Select(n => n.Text("metadata.name")), Is.EqualTo(new[] { "notifiche" }));
        Assert.That(Manifests.Documents.Where(d => d.Document.Text("apiVersion") is null || d.Document.Text("metadata.name") is null)
            .Select(d => d.File), Is.Empty, "every document has an apiVersion, a kind and a name");
    }

    [Test]
    public void Should_run_every_deployable_project_once()
    {
        var projects = Manifests.OfKind("Deployment").Select(d => KubernetesManifests.ProjectOf(d, Compose)).ToList();

        Assert.That(projects, Is.EquivalentTo(Repository.ServiceProjects()), "each Deployment's image is the one compose builds for a project");
    }

    [TestCaseSource(nameof(Deployments))]
    public void Should_probe_liveness_and_readiness_on_the_management_port(string name)
    {
        var container = KubernetesManifests.Container(Deployment(name));

        Assert.Multiple(() =>
        {
            Assert.That(container.Text("livenessProbe.httpGet.path"), Is.EqualTo("/health/live"));
            Assert.That(container.Text("startupProbe.httpGet.path"), Is.EqualTo("/health/live"));
            Assert.That(container.Text("readinessProbe.httpGet.path"), Is.EqualTo("/health/ready"));
            foreach (var probe in new[] { "livenessProbe", "startupProbe", "readinessProbe" })
            {
                Assert.That(container.Text($"{probe}.httpGet.port"), Is.EqualTo("management"), probe);
            }

            // The image's ports: the API on 8080 (ASPNETCORE_HTTP_PORTS), health, metrics and the admin API on Management:Port.
            Assert.That(container.List("ports").Maps().ToDictionary(p => p.Text("name")!, p => p.Text("containerPort")),
                Is.EquivalentTo(new Dictionary<string, string?> { ["http"] = "8080", ["management"] = $"{Notifiche.ServiceDefaults.ManagementPort.DefaultPort}" }));
        });
    }

    [TestCaseSource(nameof(Deployments))]
    public void Should_run_as_the_image_user_on_a_read_only_root_with_limits(string name)
    {
        var deployment = Deployment(name);
        var pod = deployment.Map("spec.template.spec");
        var container = KubernetesManifests.Container(deployment);

        Assert.Multiple(() =>
        {
            Assert.That(pod.Text("securityContext.runAsNonRoot"), Is.EqualTo("true"));
            Assert.That(pod.Text("securityContext.runAsUser"), Is.EqualTo("1654"), "the aspnet image's app user (deploy/Dockerfile)");
            Assert.That(pod.Text("terminationGracePeriodSeconds"), Is.EqualTo("60"));
            Assert.That(container.Text("securityContext.readOnlyRootFilesystem"), Is.EqualTo("true"));
            Assert.That(container.Text("securityContext.allowPrivilegeEscalation"), Is.EqualTo("false"));
            Assert.That(container.List("volumeMounts").Maps().Where(m => m.Text("mountPath") == "/tmp").Select(m => m.Text("name"))
                .Select(v => pod.List("volumes").Maps().Single(x => x.Text("name") == v).ContainsKey("emptyDir")), Is.EqualTo(new[] { true }),
                "a writable /tmp on an emptyDir");
            foreach (var resource in new[] { "requests.cpu", "requests.memory", "limits.cpu", "limits.memory" })
            {
                Assert.That(container.Text($"resources.{resource}"), Is.Not.Null, resource);
            }
        });
    }

    [Test]
    public void Should_set_only_configuration_keys_the_services_read() => Assert.That(Manifests.UnknownEnvironmentKeys(Compose), Is.Empty);

    [Test]
    public void Should_refer_only_to_existing_or_documented_config_maps_and_secrets()
    {
        Assert.That(Manifests.MissingReferences(), Is.Empty);
        var readme = Repository.Read("deploy", "kubernetes", "README.md");
        Assert.That(Manifests.ExternalSecrets().Where(s => !readme.Contains(s, StringComparison.Ordinal)), Is.Empty,
            "the README says where each secret made outside these files comes from");
    }

    [Test]
    public void Should_expose_the_http_apis_through_services()
    {
        var services = Manifests.OfKind("Service").ToList();

        Assert.That(services.Select(s => s.Text("metadata.name")), Is.EquivalentTo(new[] { "notifiche-gateway", "notifiche-preferences" }));
        foreach (var service in services)
        {
            var selected = Manifests.OfKind("Deployment").Where(d => service.Map("spec.selector")
                .All(l => d.Map("spec.template.metadata.labels").TryGetValue(l.Key, out var v) && Equals(v, l.Value))).ToList();
            Assert.That(selected, Has.Count.EqualTo(1), $"{service.Text("metadata.name")} selects one Deployment's pods");
            var portNames = KubernetesManifests.Container(selected[0]).List("ports").Maps().Select(p => p.Text("name"));
            Assert.That(service.List("spec.ports").Maps().Select(p => p.Text("targetPort")), Is.SubsetOf(portNames));
            Assert.That(service.List("spec.ports").Maps().Select(p => p.Text("targetPort")), Has.None.EqualTo("management").And.None.EqualTo("8081"),
                "no Service routes the management port (admin API, health, metrics)");
        }
    }

    [Test]
    public void Should_scale_each_dispatcher_on_its_own_command_queue()
    {
        Assert.That(Manifests.MisdirectedScalers(Compose), Is.Empty);

        var scaled = Manifests.OfKind("ScaledObject").ToDictionary(
            s => KubernetesManifests.ProjectOf(Manifests.Named("Deployment", s.Text("spec.scaleTargetRef.name")!)!, Compose)!,
            s => s.List("spec.triggers").Maps().Single());
        Assert.That(scaled.ToDictionary(s => s.Key, s => s.Value.Text("metadata.queueName")), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["Notifiche.Dispatch.Email"] = CommandQueues.SendEmail,
            ["Notifiche.Dispatch.Sms"] = CommandQueues.SendSms,
            ["Notifiche.Dispatch.Push"] = CommandQueues.SendPush,
            ["Notifiche.Dispatch.Telegram"] = CommandQueues.SendTelegram,
        }));
        Assert.Multiple(() =>
        {
            foreach (var scaler in Manifests.OfKind("ScaledObject"))
            {
                Assert.That(scaler.Text("spec.minReplicaCount"), Is.EqualTo("1"));
                // Telegram throttles one bot at about 30 messages a second: more than 4 replicas would only collect 429s.
                Assert.That(scaler.Text("spec.maxReplicaCount"), Is.EqualTo(scaler.Text("metadata.name") == "notifiche-dispatch-telegram" ? "4" : "10"));
                Assert.That(scaler.List("spec.triggers").Maps().Single().Text("metadata.mode"), Is.EqualTo("QueueLength"));
                Assert.That(Manifests.Named("Deployment", scaler.Text("spec.scaleTargetRef.name")!)!.Text("spec.replicas"), Is.Null,
                    "KEDA owns the replica count of a scaled Deployment");
            }
        });
    }

    [Test]
    public void Should_run_a_three_node_rabbitmq_cluster_with_quorum_queues_by_default()
    {
        var cluster = Manifests.OfKind("RabbitmqCluster").Single();
        var config = cluster.Text("spec.rabbitmq.additionalConfig")!.Split('\n').Select(l => l.Trim()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(cluster.Text("apiVersion"), Is.EqualTo("rabbitmq.com/v1beta1"));
            Assert.That(cluster.Text("spec.replicas"), Is.EqualTo("3"));
            Assert.That(config, Does.Contain("default_queue_type = quorum"));
            Assert.That(config, Does.Contain("cluster_partition_handling = pause_minority"), "a minority side stops instead of diverging");
            Assert.That(config, Does.Contain("max_message_size = 262144"), "issue 16: no message over 256 KiB");
        });
    }

    [Test]
    public void Should_give_the_services_every_rabbitmq_node_by_its_stable_name()
    {
        var cluster = Manifests.OfKind("RabbitmqCluster").Single();
        var name = cluster.Text("metadata.name");
        var common = Manifests.Named("ConfigMap", "notifiche-common")!.Map("data");
        var hosts = common.Keys().Where(k => k.StartsWith("Messaging__RabbitMq__Hosts__", StringComparison.Ordinal)).Order()
            .Select(k => common.Text(k)).ToList();

        // The operator runs the nodes as the StatefulSet <cluster>-server behind the headless Service <cluster>-nodes.
        Assert.That(hosts, Is.EqualTo(Enumerable.Range(0, int.Parse(cluster.Text("spec.replicas")!)).Select(i => $"{name}-server-{i}.{name}-nodes")));
    }

    [Test]
    public void Should_connect_the_services_to_the_primary_of_a_three_instance_postgres_cluster()
    {
        var cluster = Manifests.OfKind("Cluster").Single();
        var name = cluster.Text("metadata.name");
        var databases = Manifests.OfKind("Database").Where(d => d.Text("spec.cluster.name") == name).Select(d => d.Text("spec.name"))
            .Append(cluster.Text("spec.bootstrap.initdb.database")).ToList();
        var connectionStrings = Manifests.OfKind("ConfigMap").SelectMany(c => c.Map("data"))
            .Where(e => e.Key.ToString()!.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
            .Select(e => ((string)e.Value!).Split(';').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]))
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(cluster.Text("apiVersion"), Is.EqualTo("postgresql.cnpg.io/v1"));
            Assert.That(cluster.Text("spec.instances"), Is.EqualTo("3"));
            Assert.That(connectionStrings, Has.Count.EqualTo(6), "the gateway, preferences and the four dispatchers' ledgers");
            foreach (var connectionString in connectionStrings)
            {
                Assert.That(connectionString["Host"], Is.EqualTo(name + "-rw"));
                Assert.That(databases, Does.Contain(connectionString["Database"]));
                Assert.That(connectionString["Username"], Is.EqualTo(cluster.Text("spec.bootstrap.initdb.owner")));
                Assert.That(connectionString, Does.Not.ContainKey("Password"), "the password comes from the operator's Secret as PGPASSWORD");
                Assert.That(connectionString["SSL Mode"], Is.EqualTo("VerifyFull"), "issue 16: TLS, and the server's certificate verified");
                Assert.That(connectionString["Root Certificate"], Is.EqualTo("/etc/notifiche/postgres-ca/ca.crt"));
            }
        });
    }

    [Test]
    public void Should_mount_the_database_ca_where_every_connection_string_reads_it()
    {
        foreach (var deployment in Manifests.OfKind("Deployment"))
        {
            var name = deployment.Text("metadata.name");
            var mount = KubernetesManifests.Container(deployment).List("volumeMounts").Maps()
                .Single(m => m.Text("mountPath") == "/etc/notifiche/postgres-ca");
            var volume = deployment.List("spec.template.spec.volumes").Maps().Single(v => v.Text("name") == mount.Text("name"));
            Assert.That(volume.Text("secret.secretName"), Is.EqualTo(Manifests.OfKind("Cluster").Single().Text("metadata.name") + "-ca"),
                $"{name}: CloudNativePG's CA Secret");
            Assert.That(volume.List("secret.items").Maps().Single().Text("path"), Is.EqualTo("ca.crt"), name);
        }
    }

    [Test]
    public void Should_mount_the_fcm_key_where_the_push_dispatcher_reads_it()
    {
        var push = Manifests.OfKind("Deployment").Single(d => KubernetesManifests.ProjectOf(d, Compose) == "Notifiche.Dispatch.Push");
        var configured = KubernetesManifests.Container(push).List("envFrom").Maps()
            .Select(f => Manifests.Named("ConfigMap", f.Text("configMapRef.name") ?? ""))
            .Select(c => c?.Text("data.Push__Fcm__CredentialsFile")).Single(p => p is not null)!;
        var mount = KubernetesManifests.Container(push).List("volumeMounts").Maps()
            .Single(m => configured.StartsWith(m.Text("mountPath") + "/", StringComparison.Ordinal));
        var volume = push.List("spec.template.spec.volumes").Maps().Single(v => v.Text("name") == mount.Text("name"));
        var secret = Manifests.Named("Secret", volume.Text("secret.secretName")!)!;

        Assert.That(secret.Map("stringData").Keys(), Does.Contain(Path.GetFileName(configured)));
    }
}

/// <summary>The manifest checks must be able to fail: each runs here on a deliberately broken copy of the real files.</summary>
public class The_kubernetes_checks
{
    private static KubernetesManifests Broken(string file, string from, string to)
    {
        var files = Directory.GetFiles(KubernetesManifests.Folder, "*.yaml").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        Assert.That(files[file], Does.Contain(from), "the edit must apply");
        files[file] = files[file].Replace(from, to, StringComparison.Ordinal);
        return new KubernetesManifests(files);
    }

    [Test]
    public void Should_catch_a_renamed_configuration_key()
    {
        var broken = Broken("dispatch-sms.yaml", "Sms__Twilio__From:", "Sms__Twilio__Sender:");

        Assert.That(broken.UnknownEnvironmentKeys(ComposeFile.Load()),
            Is.EqualTo(new[] { "notifiche-dispatch-sms: Sms__Twilio__Sender (ConfigMap notifiche-dispatch-sms) is no configuration key of Notifiche.Dispatch.Sms" }));
    }

    [Test]
    public void Should_catch_a_scaler_on_a_queue_the_dispatcher_does_not_consume()
    {
        var broken = Broken("dispatch-email.yaml", "queueName: send-email", "queueName: send-sms");

        Assert.That(broken.MisdirectedScalers(ComposeFile.Load()), Has.One.Contains("send-sms, which Notifiche.Dispatch.Email does not consume"));
    }

    [Test]
    public void Should_catch_a_file_missing_from_the_kustomization_and_a_missing_config_map()
    {
        var unlisted = Broken("kustomization.yaml", "  - dispatch-push.yaml\n", "");
        var unreferenced = Broken("common-config.yaml", "name: notifiche-common", "name: notifiche-shared");

        Assert.That(unlisted.UnlistedFiles(), Is.EqualTo(new[] { "dispatch-push.yaml is not in kustomization.yaml" }));
        Assert.That(unreferenced.MissingReferences(), Has.Exactly(6).Contains("ConfigMap notifiche-common does not exist"));
    }
}
