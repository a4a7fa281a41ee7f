using System.Text.RegularExpressions;
using Notifiche.ServiceDefaults;

namespace Notifiche.Deploy.Tests;

/// <summary>
/// Issue 16, point 1: no deployment file carries a secret anybody can read in this repository. Compose takes each from
/// .env (no default: it refuses to start without one) and ships .env.example, whose placeholders the services refuse;
/// the Kubernetes manifests generate their Secrets from git-ignored files, of which only refused examples are committed.
/// </summary>
public partial class Secrets_in_the_deployment_files
{
    /// <summary>The settings that hold a secret, in every service and in the broker and database containers.</summary>
    private static readonly string[] SecretKeys =
    [
        "Gateway__OperatorKey", "Gateway__AppBackendKey", "Preferences__AppBackendKey", "DispatchLedger__AddressKey",
        "Messaging__RabbitMq__Password", "RABBITMQ_DEFAULT_PASS", "POSTGRES_PASSWORD",
        // The web UIs' logins (issue 16, point 2): Grafana's admin instead of admin/admin, Mailpit's instead of none.
        "GF_SECURITY_ADMIN_PASSWORD", "MP_UI_AUTH",
    ];

    [Test]
    public void Should_take_every_compose_secret_from_the_environment_with_no_default()
    {
        var compose = ComposeFile.Load();
        var problems = new List<string>();
        foreach (var service in compose.Services.Keys().Select(k => k.ToString()!))
        {
            foreach (var (key, value) in compose.Service(service).Map("environment").Select(e => (e.Key.ToString()!, e.Value?.ToString() ?? "")))
            {
                if (SecretKeys.Contains(key) && !Required().IsMatch(value))
                {
                    problems.Add($"{service}: {key} is not ${{VARIABLE:?explanation}}");
                }

                if (key.StartsWith("ConnectionStrings__", StringComparison.Ordinal) && !PasswordFromVariable().IsMatch(value))
                {
                    problems.Add($"{service}: {key} has a password that is not ${{VARIABLE:?explanation}}");
                }
            }
        }

        Assert.That(problems, Is.Empty);
    }

    [Test]
    public void Should_put_every_web_ui_behind_a_password_from_the_environment()
    {
        var compose = ComposeFile.Load();

        // Grafana's own default is admin/admin; Mailpit's UI (every email sent, addresses and all) is open by default.
        Assert.Multiple(() =>
        {
            Assert.That(compose.Service("grafana").Text("environment.GF_SECURITY_ADMIN_PASSWORD"), Does.Match(Required().ToString()));
            Assert.That(compose.Service("grafana").Text("environment.GF_AUTH_ANONYMOUS_ENABLED"), Is.EqualTo("false"));
            Assert.That(compose.Service("mailpit").Text("environment.MP_UI_AUTH"), Does.Match(@"^notifiche:\$\{[A-Z0-9_]+:\?[^}]+\}$"));
            Assert.That(compose.Service("rabbitmq").Text("environment.RABBITMQ_DEFAULT_PASS"), Does.Match(Required().ToString()));
        });
    }

    [Test]
    public void Should_ship_an_env_example_whose_every_value_the_services_refuse()
    {
        var required = Required().Matches(Repository.Read("docker-compose.yml")).Select(m => m.Groups["name"].Value).ToHashSet();
        var example = EnvFile(Repository.Read(".env.example"));

        Assert.That(required, Is.SupersetOf(new[]
        {
            "NOTIFICHE_OPERATOR_KEY", "NOTIFICHE_APP_BACKEND_KEY", "NOTIFICHE_DISPATCH_ADDRESS_KEY", "NOTIFICHE_RABBITMQ_PASSWORD", "NOTIFICHE_POSTGRES_PASSWORD",
            "NOTIFICHE_GRAFANA_ADMIN_PASSWORD", "NOTIFICHE_MAILPIT_PASSWORD",
        }));
        Assert.That(example.Keys, Is.EquivalentTo(required), ".env.example lists every variable compose requires");
        Assert.That(example.Where(e => Secrets.Problem(e.Key, e.Value) is null).Select(e => e.Key), Is.Empty, "only placeholders the services refuse");
        Assert.That(Repository.Read(".env.example"), Does.Contain("openssl rand -base64 32"), "says how to make real ones");
        Assert.That(Repository.Read(".gitignore").Split('\n').Select(l => l.Trim()), Does.Contain(".env"));
    }

    [Test]
    public void Should_generate_the_kubernetes_secrets_from_ignored_files_and_commit_only_refused_examples()
    {
        var manifests = KubernetesManifests.Load();

        Assert.That(manifests.Documents.Where(d => d.File != "kustomization.yaml" && d.Document.Text("kind") == "Secret").Select(d => d.File), Is.Empty,
            "no Secret with values in the manifests");
        var generated = manifests.GeneratedSecrets().ToList();
        Assert.That(generated.Select(g => g.Secret.Text("metadata.name")), Is.SupersetOf(new[]
        {
            "notifiche-gateway", "notifiche-preferences", "notifiche-dispatch-ledger", "notifiche-dispatch-email", "notifiche-dispatch-sms", "notifiche-dispatch-push",
        }));
        foreach (var (secret, examples) in generated)
        {
            Assert.That(examples, Has.All.Matches<string>(File.Exists), $"{secret.Text("metadata.name")}: an example for each source file");
            foreach (var (key, value) in secret.Map("stringData").Select(e => (e.Key.ToString()!, e.Value?.ToString())))
            {
                Assert.That(value, Does.Contain("change-me"), $"{secret.Text("metadata.name")}: {key} is a placeholder");
                if (!key.EndsWith(".json", StringComparison.Ordinal))
                {
                    Assert.That(Secrets.Problem(key, value, minimumLength: 1), Is.Not.Null, $"{key}: the service refuses the example");
                }
            }
        }

        var ignore = File.ReadAllLines(Path.Combine(KubernetesManifests.Folder, "secrets", ".gitignore"));
        Assert.That(ignore, Does.Contain("*").And.Contain("!*.example"), "the real files never enter Git");
        var readme = Repository.Read("deploy", "kubernetes", "README.md");
        Assert.That(readme, Does.Contain("secretGenerator").And.Contain("External Secrets"), "the README says how to give the secrets");
    }

    private static Dictionary<string, string> EnvFile(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);

    [GeneratedRegex(@"\$\{(?<name>[A-Z0-9_]+):\?[^}]+\}")]
    private static partial Regex Required();

    [GeneratedRegex(@"Password=\$\{[A-Z0-9_]+:\?[^}]+\}")]
    private static partial Regex PasswordFromVariable();
}
