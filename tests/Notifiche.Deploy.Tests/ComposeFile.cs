namespace Notifiche.Deploy.Tests;

/// <summary>A compose file and the checks that tie it to the repository; each check returns the problems it finds.</summary>
public sealed class ComposeFile(string text)
{
    public Dictionary<object, object?> Root { get; } = Yaml.Document(text);

    public Dictionary<object, object?> Services => Root.Map("services");

    public static ComposeFile Load() => new(Repository.Read("docker-compose.yml"));

    public Dictionary<object, object?> Service(string name) => Services.Map(name);

    /// <summary>Compose service name → the project it builds (build.args.SERVICE), for the Notifiche services.</summary>
    public IReadOnlyDictionary<string, string> BuiltProjects() =>
        Services.Keys().Where(s => Service(s).Text("build.args.SERVICE") is not null)
            .ToDictionary(s => s, s => Service(s).Text("build.args.SERVICE")!);

    public IEnumerable<string> MissingProjects() =>
        BuiltProjects()
            .Where(p => !File.Exists(Repository.Path("services", p.Value, p.Value + ".csproj")))
            .Select(p => $"{p.Key}: build.args.SERVICE {p.Value} is no project under services/");

    public IEnumerable<string> UnknownDependencies() =>
        from service in Services.Keys()
        from dependency in Service(service).Map("depends_on").Keys()
        where !Services.ContainsKey(dependency)
        select $"{service}: depends_on {dependency}, which is no service";

    /// <summary>Bind-mounted files and folders must exist; named volumes must be declared at the top level.</summary>
    public IEnumerable<string> MissingVolumeSources()
    {
        var declared = Root.Map("volumes").Keys().ToHashSet();
        foreach (var service in Services.Keys())
        {
            foreach (var volume in Service(service).List("volumes").OfType<string>())
            {
                var source = volume.Split(':')[0];
                if (source.StartsWith('.') || source.StartsWith('/'))
                {
                    if (!File.Exists(Repository.Path(source)) && !Directory.Exists(Repository.Path(source)))
                    {
                        yield return $"{service}: bind mount {source} does not exist";
                    }
                }
                else if (!declared.Contains(source))
                {
                    yield return $"{service}: named volume {source} is not declared under volumes:";
                }
            }
        }
    }

    /// <summary>Every published port as <c>[address:]host port:container port</c> says it (address null when none is given).</summary>
    public IEnumerable<(string Service, string? Address, string HostPort)> PublishedPorts() =>
        from service in Services.Keys()
        from port in Service(service).List("ports").OfType<string>()
        let parts = port.Split(':')
        select (service, parts.Length == 3 ? parts[0] : null, parts[^2]);

    public IEnumerable<string> DuplicateHostPorts() =>
        PublishedPorts()
            .GroupBy(p => p.HostPort)
            .Where(g => g.Count() > 1)
            .Select(g => $"host port {g.Key} is published by {string.Join(", ", g.Select(p => p.Service))}");

    /// <summary>Issue 16: a port published without an address listens on every interface of the host.</summary>
    public IEnumerable<string> PortsBeyondLoopback() =>
        PublishedPorts().Where(p => p.Address != "127.0.0.1")
            .Select(p => $"{p.Service}: host port {p.HostPort} is published on {p.Address ?? "every interface"}, not 127.0.0.1");

    /// <summary>Every environment variable of a Notifiche service names a configuration key of that service.</summary>
    public IEnumerable<string> UnknownEnvironmentKeys(IReadOnlyDictionary<string, string>? projects = null) =>
        from built in projects ?? BuiltProjects()
        let keys = NotificheService.Named(built.Value).Configuration
        from variable in Service(built.Key).Map("environment").Keys()
        where !keys.Accepts(variable)
        select $"{built.Key}: {variable} is no configuration key of {built.Value}";
}
