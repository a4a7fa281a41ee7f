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
    private static partial Regex Placeholder();
}
