using System.Text.Json;
using System.Text.RegularExpressions;
using Notifiche.Messaging;

namespace Notifiche.Deploy.Tests;

/// <summary>
/// Issue 16, point 2: compose's broker creates a user per platform service from deploy/rabbitmq/definitions.json, with
/// exactly the permissions <see cref="BrokerUsers"/> gives it (the list the end-to-end specs run the platform with), and
/// each service connects as its own user with its own password from .env.
/// </summary>
public partial class The_broker_users_of_the_compose_stack
{
    private static readonly ComposeFile Compose = ComposeFile.Load();
    private static readonly JsonElement Definitions = JsonDocument.Parse(Repository.Read("deploy/rabbitmq/definitions.json")).RootElement;

    private static JsonElement User(string name) => Definitions.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("name").GetString() == name);

    private static JsonElement Permission(string user) =>
        Definitions.GetProperty("permissions").EnumerateArray().Single(p => p.GetProperty("user").GetString() == user && p.GetProperty("vhost").GetString() == "/");

    /// <summary>The variable a definition's password is taken from: the file holds no password.</summary>
    private static string PasswordVariable(string user) =>
        Placeholder().Match(User(user).GetProperty("password").GetString()!) is { Success: true } m ? m.Groups["name"].Value : $"(no ${{VARIABLE}} for {user})";

    [Test]
    public void Should_define_each_platform_service_user_with_exactly_its_permissions()
    {
        Assert.Multiple(() =>
        {
            foreach (var (service, user) in BrokerUsers.ByService)
            {
                var permission = Permission(user.Name);
                foreach (var kind in new[] { "configure", "write", "read" })
                {
                    Assert.That(permission.GetProperty(kind).GetString(), Is.EqualTo(user.Permission), $"{user.Name} {kind}");
                }

                Assert.That(User(user.Name).GetProperty("tags").GetString(), Is.EqualTo(string.Join(',', user.Tags)), user.Name);
                Assert.That(PasswordVariable(user.Name), Does.StartWith("NOTIFICHE_RABBITMQ_"), service);
            }

            var services = BrokerUsers.ByService.Values.Select(u => u.Name).ToHashSet();
            Assert.That(Definitions.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("name").GetString()!).Where(n => !services.Contains(n)),
                Is.EqualTo(new[] { "notifiche" }), "besides the services' users, only the operators' administrator");
            Assert.That(Definitions.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("password").GetString()), Has.All.Match(Placeholder().ToString()),
                "no password in the file");
        });
    }

    [Test]
    public void Should_connect_every_service_as_its_own_user_with_its_own_password()
    {
        var rabbitmq = Compose.Service("rabbitmq").Map("environment");
        Assert.Multiple(() =>
        {
            foreach (var (name, project) in Compose.BuiltProjects())
            {
                var user = BrokerUsers.ByService[project];
                var environment = Compose.Service(name).Map("environment");
                var variable = PasswordVariable(user.Name);
                Assert.That(environment.Text("Messaging__RabbitMq__Username"), Is.EqualTo(user.Name), name);
                Assert.That(environment.Text("Messaging__RabbitMq__Password"), Does.StartWith($"${{{variable}:?"), name);
                Assert.That(rabbitmq.Text(variable), Does.StartWith($"${{{variable}:?"), $"the broker renders {name}'s password from {variable}");
            }

            Assert.That(Compose.BuiltProjects().Values, Is.EquivalentTo(BrokerUsers.ByService.Keys), "a user for every service, a service for every user");
        });
    }

    [Test]
    public void Should_load_the_definitions_the_entrypoint_renders()
    {
        var config = Repository.Read("deploy/rabbitmq/rabbitmq.conf").Split('\n').Select(l => l.Trim());
        var script = Repository.Read("deploy/rabbitmq/render-definitions.sh");

        Assert.That(config, Does.Contain("load_definitions = /tmp/notifiche-definitions.json"));
        Assert.That(script, Does.Contain("/tmp/notifiche-definitions.json").And.Contain("/etc/rabbitmq/notifiche/definitions.json"));
        Assert.That(Compose.Service("rabbitmq").List("volumes").OfType<string>(), Does.Contain("./deploy/rabbitmq:/etc/rabbitmq/notifiche:ro"));
    }

    [GeneratedRegex(@"^\$\{(?<name>[A-Z0-9_]+)\}$")]
    internal static partial Regex Placeholder();

    /// <summary>The variable each user's password comes from, by user name.</summary>
    internal static Dictionary<string, string> PasswordVariables() =>
        Definitions.GetProperty("users").EnumerateArray().ToDictionary(u => u.GetProperty("name").GetString()!, u => PasswordVariable(u.GetProperty("name").GetString()!));
}

/// <summary>
/// Issue 16, point 2, on Kubernetes: the same users as compose, from the same definitions.json — rendered with the
/// passwords of the generated Secret <c>notifiche-broker-passwords</c> into the Secret <c>notifiche-rabbitmq-definitions</c>,
/// which the RabbitmqCluster mounts and loads — and each Deployment connects as its own user, never as the operator's
/// default (administrator) user.
/// </summary>
public class The_broker_users_of_the_kubernetes_manifests
{
    private static readonly KubernetesManifests Manifests = KubernetesManifests.Load();
    private static readonly ComposeFile Compose = ComposeFile.Load();

    [Test]
    public void Should_connect_every_deployment_as_its_services_own_user_with_its_own_password()
    {
        var variables = The_broker_users_of_the_compose_stack.PasswordVariables();
        Assert.Multiple(() =>
        {
            foreach (var deployment in Manifests.OfKind("Deployment"))
            {
                var name = deployment.Text("metadata.name");
                var user = BrokerUsers.ByService[KubernetesManifests.ProjectOf(deployment, Compose)!];
                var env = KubernetesManifests.Container(deployment).List("env").Maps().ToDictionary(e => e.Text("name")!);
                Assert.That(env["Messaging__RabbitMq__Username"].Text("value"), Is.EqualTo(user.Name), name);
                Assert.That(env["Messaging__RabbitMq__Password"].Text("valueFrom.secretKeyRef.name"), Is.EqualTo("notifiche-broker-passwords"), name);
                Assert.That(env["Messaging__RabbitMq__Password"].Text("valueFrom.secretKeyRef.key"), Is.EqualTo(variables[user.Name]), name);
                Assert.That(env.Values.Select(e => e.Text("valueFrom.secretKeyRef.name")), Has.None.EqualTo("notifiche-rabbitmq-default-user"),
                    $"{name}: not the operator's administrator");
            }
        });
    }

    [Test]
    public void Should_generate_the_passwords_and_the_definitions_the_cluster_loads()
    {
        var generated = Manifests.GeneratedSecrets().ToDictionary(g => g.Secret.Text("metadata.name")!, g => g.Secret.Map("stringData"));
        var passwords = generated["notifiche-broker-passwords"];
        var variables = The_broker_users_of_the_compose_stack.PasswordVariables();
        var cluster = Manifests.OfKind("RabbitmqCluster").Single();
        var pod = cluster.Map("spec.override.statefulSet.spec.template.spec");
        var mount = pod.List("containers").Maps().Single(c => c.Text("name") == "rabbitmq").List("volumeMounts").Maps().Single();
        var volume = pod.List("volumes").Maps().Single(v => v.Text("name") == mount.Text("name"));

        Assert.Multiple(() =>
        {
            Assert.That(passwords.Keys.Select(k => k.ToString()), Is.EquivalentTo(variables.Values.Distinct()), "a password for every user of definitions.json");
            Assert.That(volume.Text("secret.secretName"), Is.EqualTo("notifiche-rabbitmq-definitions"));
            Assert.That(cluster.Text("spec.rabbitmq.additionalConfig")!.Split('\n').Select(l => l.Trim()),
                Does.Contain($"load_definitions = {mount.Text("mountPath")}/definitions.json"));
            Assert.That(Manifests.Kustomization.List("secretGenerator").Maps().Single(g => g.Text("name") == "notifiche-rabbitmq-definitions")
                .Text("options.disableNameSuffixHash"), Is.EqualTo("true"), "the cluster's pod template names it, kustomize cannot rename it there");
            // The example is what the render script makes of the template with the example passwords: the same users and permissions.
            Assert.That(Normalised(generated["notifiche-rabbitmq-definitions"]["definitions.json"]!.ToString()!),
                Is.EqualTo(Normalised(Render(passwords.ToDictionary(p => p.Key.ToString()!, p => p.Value!.ToString()!)))));
        });
    }

    [Test]
    public void Should_render_the_definitions_with_the_passwords_and_refuse_a_missing_one()
    {
        var passwords = The_broker_users_of_the_compose_stack.PasswordVariables().Values.Distinct()
            .ToDictionary(v => v, _ => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));

        var rendered = JsonDocument.Parse(Render(passwords)).RootElement;

        Assert.That(rendered.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("password").GetString()), Is.EquivalentTo(passwords.Values));
        var missing = new Dictionary<string, string>(passwords);
        missing.Remove(missing.Keys.First());
        Assert.That(() => Render(missing), Throws.InvalidOperationException.With.Message.Contains("is not set"));
    }

    private static string Normalised(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    /// <summary>deploy/rabbitmq/render-definitions.sh in its Kubernetes mode (template and output given: render, start nothing).</summary>
    private static string Render(IReadOnlyDictionary<string, string> passwords)
    {
        var output = Path.Combine(Path.GetTempPath(), $"notifiche-definitions-{Guid.NewGuid():N}.json");
        var start = new System.Diagnostics.ProcessStartInfo("sh", [Repository.Path("deploy", "rabbitmq", "render-definitions.sh")])
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        foreach (var variable in The_broker_users_of_the_compose_stack.PasswordVariables().Values)
        {
            start.Environment.Remove(variable);
        }

        foreach (var (variable, value) in passwords)
        {
            start.Environment[variable] = value;
        }

        start.Environment["NOTIFICHE_DEFINITIONS_TEMPLATE"] = Repository.Path("deploy", "rabbitmq", "definitions.json");
        start.Environment["NOTIFICHE_DEFINITIONS_OUTPUT"] = output;
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        try
        {
            return process.ExitCode == 0 ? File.ReadAllText(output) : throw new InvalidOperationException(error);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
