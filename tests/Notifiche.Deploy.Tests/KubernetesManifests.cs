namespace Notifiche.Deploy.Tests;

/// <summary>The manifests under deploy/kubernetes (every document of every file) and the checks that tie them to the code.</summary>
public sealed class KubernetesManifests(IReadOnlyDictionary<string, string> files)
{
    public static readonly string Folder = Repository.Path("deploy", "kubernetes");

    public Dictionary<object, object?> Kustomization { get; } = Yaml.Document(files["kustomization.yaml"]);

    /// <summary>Every document of every file, and the Secrets the kustomization generates (see <see cref="GeneratedSecrets"/>).</summary>
    public IReadOnlyList<(string File, Dictionary<object, object?> Document)> Documents =>
        field ??= files.Where(f => f.Key != "kustomization.yaml")
            .SelectMany(f => Yaml.Documents(f.Value).Select(d => (f.Key, d)))
            .Concat(GeneratedSecrets().Select(g => ("kustomization.yaml", g.Secret)))
            .ToList();

    /// <summary>
    /// The Secrets of the kustomization's secretGenerator, as a Secret document each whose stringData has the keys (and
    /// the values) of the example next to each source file (<c>secrets/gateway.env.example</c>): the real files are
    /// git-ignored. <c>Examples</c> are the example files' paths.
    /// </summary>
    public IEnumerable<(Dictionary<object, object?> Secret, IReadOnlyList<string> Examples)> GeneratedSecrets()
    {
        foreach (var generator in Kustomization.List("secretGenerator").Maps())
        {
            var data = new Dictionary<object, object?>();
            var examples = new List<string>();
            foreach (var env in generator.List("envs").OfType<string>())
            {
                var example = Path.Combine(Folder, env + ".example");
                examples.Add(example);
                foreach (var line in File.Exists(example) ? File.ReadAllLines(example) : [])
                {
                    if (line.Length > 0 && !line.StartsWith('#') && line.IndexOf('=') is var eq and > 0)
                    {
                        data[line[..eq]] = line[(eq + 1)..];
                    }
                }
            }

            foreach (var file in generator.List("files").OfType<string>())
            {
                var (key, source) = file.Contains('=') ? (file[..file.IndexOf('=')], file[(file.IndexOf('=') + 1)..]) : (Path.GetFileName(file), file);
                var example = Path.Combine(Folder, source + ".example");
                examples.Add(example);
                data[key] = File.Exists(example) ? File.ReadAllText(example) : null;
            }

            var secret = new Dictionary<object, object?>
            {
                ["apiVersion"] = "v1", ["kind"] = "Secret",
                ["metadata"] = new Dictionary<object, object?> { ["name"] = generator.Text("name") },
                ["stringData"] = data,
            };
            yield return (secret, examples);
        }
    }

    public IReadOnlyCollection<string> Files => files.Keys.ToList();

    public static KubernetesManifests Load() => new(Directory.GetFiles(Folder, "*.yaml")
        .ToDictionary(f => Path.GetFileName(f), File.ReadAllText));

    public IEnumerable<Dictionary<object, object?>> OfKind(string kind) =>
        Documents.Select(d => d.Document).Where(d => d.Text("kind") == kind);

    public Dictionary<object, object?>? Named(string kind, string name) =>
        OfKind(kind).SingleOrDefault(d => d.Text("metadata.name") == name);

    /// <summary>
    /// Secrets made outside these files: the operators' (named after their clusters) and the one KEDA reads, which the
    /// README says how to create.
    /// </summary>
    public IReadOnlySet<string> ExternalSecrets() =>
        OfKind("RabbitmqCluster").Select(c => c.Text("metadata.name") + "-default-user")
            .Concat(OfKind("Cluster").Select(c => c.Text("metadata.name") + "-app"))
            .Concat(OfKind("Cluster").Select(c => c.Text("metadata.name") + "-ca"))
            .Concat(["notifiche-keda-rabbitmq"])
            .ToHashSet();

    public static Dictionary<object, object?> Container(Dictionary<object, object?> deployment) =>
        deployment.List("spec.template.spec.containers").Maps().Single();

    /// <summary>The project a Deployment runs: its image is the one compose builds with that SERVICE.</summary>
    public static string? ProjectOf(Dictionary<object, object?> deployment, ComposeFile compose)
    {
        var image = Container(deployment).Text("image")!.Split(':')[0];
        return compose.Services.Keys()
            .Where(s => compose.Service(s).Text("image")?.Split(':')[0] == image)
            .Select(s => compose.Service(s).Text("build.args.SERVICE"))
            .SingleOrDefault();
    }

    /// <summary>Every environment variable a Deployment's container gets (env, and the keys of envFrom ConfigMaps and Secrets).</summary>
    public IEnumerable<(string Source, string Variable)> EnvironmentOf(Dictionary<object, object?> deployment)
    {
        var container = Container(deployment);
        foreach (var env in container.List("env").Maps())
        {
            yield return ("env", env.Text("name")!);
        }

        foreach (var from in container.List("envFrom").Maps())
        {
            var (kind, name) = from.ContainsKey("configMapRef") ? ("ConfigMap", from.Text("configMapRef.name")) : ("Secret", from.Text("secretRef.name"));
            var source = Named(kind, name!);
            var data = source?.Map(kind == "ConfigMap" ? "data" : "stringData").Keys().Concat(source.Map("data").Keys()).Distinct() ?? [];
            foreach (var key in data)
            {
                yield return ($"{kind} {name}", key);
            }
        }
    }

    public IEnumerable<string> UnknownEnvironmentKeys(ComposeFile compose) =>
        from deployment in OfKind("Deployment")
        let project = ProjectOf(deployment, compose)
        where project is not null
        let keys = NotificheService.Named(project).Configuration
        from variable in EnvironmentOf(deployment)
        where !keys.Accepts(variable.Variable)
        select $"{deployment.Text("metadata.name")}: {variable.Variable} ({variable.Source}) is no configuration key of {project}";

    /// <summary>ConfigMaps and Secrets a Deployment refers to exist here, or are made by an operator or by hand as documented.</summary>
    public IEnumerable<string> MissingReferences()
    {
        var external = ExternalSecrets();
        foreach (var deployment in OfKind("Deployment"))
        {
            var name = deployment.Text("metadata.name");
            var container = Container(deployment);
            var references = container.List("envFrom").Maps()
                .Select(f => f.ContainsKey("configMapRef") ? ("ConfigMap", f.Text("configMapRef.name")!) : ("Secret", f.Text("secretRef.name")!))
                .Concat(container.List("env").Maps().Where(e => e.Text("valueFrom.secretKeyRef.name") is not null)
                    .Select(e => ("Secret", e.Text("valueFrom.secretKeyRef.name")!)))
                .Concat(deployment.List("spec.template.spec.volumes").Maps().Where(v => v.Text("secret.secretName") is not null)
                    .Select(v => ("Secret", v.Text("secret.secretName")!)));
            foreach (var (kind, reference) in references)
            {
                if (Named(kind, reference) is null && !(kind == "Secret" && external.Contains(reference)))
                {
                    yield return $"{name}: {kind} {reference} does not exist";
                }
            }
        }
    }
}

public static class KubernetesChecks
{
    public static IEnumerable<string> UnlistedFiles(this KubernetesManifests manifests)
    {
        var listed = manifests.Kustomization.List("resources").OfType<string>().ToHashSet();
        var present = manifests.Files.Where(f => f != "kustomization.yaml").ToHashSet();
        return present.Except(listed).Select(f => $"{f} is not in kustomization.yaml")
            .Concat(listed.Except(present).Select(f => $"kustomization.yaml lists {f}, which does not exist"));
    }

    /// <summary>Each ScaledObject scales a dispatcher on a queue that dispatcher consumes, through a defined TriggerAuthentication.</summary>
    public static IEnumerable<string> MisdirectedScalers(this KubernetesManifests manifests, ComposeFile compose)
    {
        foreach (var scaler in manifests.OfKind("ScaledObject"))
        {
            var name = scaler.Text("metadata.name");
            var target = manifests.Named("Deployment", scaler.Text("spec.scaleTargetRef.name") ?? "");
            if (target is null)
            {
                yield return $"{name}: scales {scaler.Text("spec.scaleTargetRef.name")}, which is no Deployment";
                continue;
            }

            var project = KubernetesManifests.ProjectOf(target, compose)!;
            foreach (var trigger in scaler.List("spec.triggers").Maps())
            {
                var queue = trigger.Text("metadata.queueName");
                if (trigger.Text("type") != "rabbitmq" || !NotificheService.Named(project).ConsumedQueues.Contains(queue))
                {
                    yield return $"{name}: trigger {trigger.Text("type")} on queue {queue}, which {project} does not consume";
                }

                if (manifests.Named("TriggerAuthentication", trigger.Text("authenticationRef.name") ?? "") is null)
                {
                    yield return $"{name}: TriggerAuthentication {trigger.Text("authenticationRef.name")} does not exist";
                }
            }
        }
    }
}
