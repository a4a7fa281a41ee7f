namespace Notifiche.Deploy.Tests;

public class The_compose_file
{
    private static readonly ComposeFile Compose = ComposeFile.Load();

    [Test]
    public void Should_run_the_infrastructure_and_exactly_the_five_services()
    {
        Assert.That(Compose.Services.Keys(), Is.EquivalentTo(new[]
        {
            "rabbitmq", "postgres", "mailpit", "jaeger", "prometheus", "grafana",
            "gateway", "preferences", "dispatch-email", "dispatch-sms", "dispatch-push", "dispatch-telegram",
        }));
    }

    [Test]
    public void Should_build_every_deployable_project_once()
    {
        Assert.That(Compose.BuiltProjects().Values, Is.EquivalentTo(Repository.ServiceProjects()));
        Assert.That(NotificheService.All.Select(s => s.Project), Is.EquivalentTo(Repository.ServiceProjects()),
            "a new service under services/ needs its entry in NotificheService.All, and then in compose and Kubernetes");
    }

    [Test]
    public void Should_build_only_existing_projects() => Assert.That(Compose.MissingProjects(), Is.Empty);

    [Test]
    public void Should_depend_only_on_defined_services() => Assert.That(Compose.UnknownDependencies(), Is.Empty);

    [Test]
    public void Should_mount_only_existing_files_and_declared_volumes() => Assert.That(Compose.MissingVolumeSources(), Is.Empty);

    [Test]
    public void Should_publish_each_host_port_once() => Assert.That(Compose.DuplicateHostPorts(), Is.Empty);

    [Test]
    public void Should_publish_every_port_on_loopback_only() => Assert.That(Compose.PortsBeyondLoopback(), Is.Empty);

    [Test]
    public void Should_refuse_messages_over_256_kib_on_the_broker()
    {
        var config = Repository.Read("deploy/rabbitmq/rabbitmq.conf").Split('\n').Select(l => l.Trim());
        Assert.That(config, Does.Contain("max_message_size = 262144"), "issue 16: what compose's broker mounts");
    }

    [Test]
    public void Should_set_only_configuration_keys_the_services_read() => Assert.That(Compose.UnknownEnvironmentKeys(), Is.Empty);

    [Test]
    public void Should_keep_the_sandbox_records_in_volumes()
    {
        foreach (var (service, key) in new[] { ("dispatch-sms", "Sms__SandboxDirectory"), ("dispatch-push", "Push__SandboxDirectory"), ("dispatch-telegram", "Telegram__SandboxDirectory") })
        {
            var directory = Compose.Service(service).Text($"environment.{key}");
            var targets = Compose.Service(service).List("volumes").OfType<string>().Select(v => v.Split(':')[1]);
            Assert.That(targets, Does.Contain(directory), $"{service} writes its sandbox records to {directory}");
        }
    }

    [Test]
    public void Should_start_the_dispatchers_on_their_sandboxes()
    {
        Assert.That(Compose.Service("dispatch-sms").Text("environment.Sms__Provider"), Is.EqualTo("${NOTIFICHE_SMS_PROVIDER:-Sandbox}"));
        Assert.That(Compose.Service("dispatch-push").Text("environment.Push__Provider"), Is.EqualTo("Sandbox"));
    }

    [Test]
    public void Should_state_the_ssl_mode_of_every_database_connection()
    {
        var connectionStrings = Compose.Services.Keys().SelectMany(s => Compose.Service(s).Map("environment"))
            .Where(e => e.Key.ToString()!.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).Select(e => (string)e.Value!).ToList();

        Assert.That(connectionStrings, Has.Count.EqualTo(6), "gateway, preferences and the four dispatchers");
        Assert.That(connectionStrings, Has.All.Contain(";SSL Mode="), "issue 16: an explicit choice, explained in the file");
    }

    [Test]
    public void Should_give_every_notifiche_service_the_shared_broker_settings()
    {
        foreach (var service in Compose.BuiltProjects().Keys)
        {
            Assert.That(Compose.Service(service).Text("environment.Messaging__RabbitMq__Host"), Is.EqualTo("rabbitmq"), service);
            Assert.That(Compose.Service(service).Text("environment.OTEL_SERVICE_NAME"), Is.EqualTo("notifiche-" + service), service);
        }
    }
}

/// <summary>The checks above must be able to fail: each runs here on a deliberately broken copy of the real file.</summary>
public class The_compose_checks
{
    private static readonly string Text = Repository.Read("docker-compose.yml");

    [Test]
    public void Should_catch_a_renamed_configuration_key()
    {
        var broken = new ComposeFile(Text.Replace("Sms__SandboxDirectory:", "Sms__SandboxFolder:", StringComparison.Ordinal));

        Assert.That(broken.UnknownEnvironmentKeys(), Is.EqualTo(new[] { "dispatch-sms: Sms__SandboxFolder is no configuration key of Notifiche.Dispatch.Sms" }));
    }

    [Test]
    public void Should_catch_a_key_set_on_the_wrong_service()
    {
        var broken = new ComposeFile(Text.Replace("Email__Transport:", "Sms__Provider: Sandbox\n      Email__Transport:", StringComparison.Ordinal));

        Assert.That(broken.UnknownEnvironmentKeys(), Has.One.Contains("dispatch-email: Sms__Provider"));
    }

    [Test]
    public void Should_catch_a_missing_project_a_missing_mount_a_duplicate_port_and_an_unknown_dependency()
    {
        var broken = new ComposeFile(Text
            .Replace("SERVICE: Notifiche.Dispatch.Push", "SERVICE: Notifiche.Dispatch.Pigeon", StringComparison.Ordinal)
            .Replace("./deploy/rabbitmq/rabbitmq.conf", "./deploy/rabbitmq/rabbit.conf", StringComparison.Ordinal)
            .Replace("\"127.0.0.1:9084:8081\"", "\"9083:8081\"", StringComparison.Ordinal)
            .Replace("mailpit:\n        condition", "smtp:\n        condition", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(broken.MissingProjects(), Has.One.Contains("Notifiche.Dispatch.Pigeon"));
            Assert.That(broken.MissingVolumeSources(), Has.One.Contains("rabbit.conf"));
            Assert.That(broken.DuplicateHostPorts(), Has.One.EqualTo("host port 9083 is published by dispatch-sms, dispatch-push"));
            Assert.That(broken.PortsBeyondLoopback(), Has.One.EqualTo("dispatch-push: host port 9083 is published on every interface, not 127.0.0.1"));
            Assert.That(broken.UnknownDependencies(), Has.One.EqualTo("dispatch-email: depends_on smtp, which is no service"));
        });
    }

    [Test]
    public void Should_accept_dictionary_entries_and_library_variables_but_not_inventions()
    {
        var sms = NotificheService.Named("Notifiche.Dispatch.Sms").Configuration;

        Assert.Multiple(() =>
        {
            Assert.That(sms.Accepts("Sms__Templates__fr"), Is.True, "SmsOptions.Templates is a dictionary keyed by language");
            Assert.That(sms.Accepts("Sms__Twilio__AuthToken"), Is.True);
            Assert.That(sms.Accepts("Messaging__RabbitMq__Host"), Is.True);
            Assert.That(sms.Accepts("OTEL_SERVICE_NAME"), Is.True);
            Assert.That(sms.Accepts("Sms__Twilio__ApiKey"), Is.False);
            Assert.That(sms.Accepts("Sms__Templates__fr__x"), Is.False);
            Assert.That(sms.Accepts("Email__Transport"), Is.False);
        });
    }
}

public class The_fcm_compose_override
{
    private static readonly ComposeFile Override = new(Repository.Read("deploy", "compose", "push-fcm.yml"));

    [Test]
    public void Should_only_override_services_of_the_main_file_with_their_own_keys()
    {
        Assert.That(Override.Services.Keys(), Is.SubsetOf(ComposeFile.Load().Services.Keys()));
        Assert.That(Override.UnknownEnvironmentKeys(new Dictionary<string, string> { ["dispatch-push"] = "Notifiche.Dispatch.Push" }), Is.Empty);
    }

    [Test]
    public void Should_mount_the_credentials_file_where_the_push_dispatcher_reads_it()
    {
        var push = Override.Service("dispatch-push");
        var secret = push.List("secrets").OfType<string>().Single();

        Assert.Multiple(() =>
        {
            Assert.That(push.Text("environment.Push__Provider"), Is.EqualTo("Fcm"));
            Assert.That(Override.Root.Map("secrets").Keys(), Does.Contain(secret));
            Assert.That(push.Text("environment.Push__Fcm__CredentialsFile"), Is.EqualTo("/run/secrets/" + secret));
        });
    }
}
