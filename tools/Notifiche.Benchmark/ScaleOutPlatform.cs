using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.Benchmark;

/// <summary>
/// The scale-out layout (phase 7, <c>--scale-out</c>): two gateways, two preferences and two email dispatchers, each its
/// own process (<c>dotnet &lt;Service&gt;.dll</c> from the ReadyToRun publish tools/bench.sh makes of each service), on a
/// vhost and databases of their own and the benchmark's SMTP sink, set up exactly as <see cref="BenchPlatform"/> sets up
/// its in-process hosts (<see cref="BenchInfrastructure"/>'s settings, passed as environment variables by
/// <see cref="ServiceProcess"/>, as the fault suite runs the services). Each process logs to a file of its own.
/// </summary>
public sealed class ScaleOutPlatform : IAsyncDisposable
{
    public const int Instances = 2;

    /// <summary>The folder tools/bench.sh publishes the services into, one folder each (their appsettings.json collide in one).</summary>
    public const string ServicesVariable = "NOTIFICHE_BENCH_SERVICES";

    public const string Gateways = "gateways";
    public const string Preferences = "preferences";
    public const string EmailDispatchers = "email dispatchers";

    // A service finishing its in-flight messages after SIGTERM takes a second or two; past this it is killed.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    private static readonly (string Service, string Group, string Label)[] Services =
    [
        (ServiceHosts.Gateway, Gateways, "gateway"),
        (ServiceHosts.Preferences, Preferences, "preferences"),
        (ServiceHosts.EmailDispatch, EmailDispatchers, "email"),
    ];

    private readonly BenchInfrastructure _infrastructure;
    private readonly List<(string Group, ServiceProcess Process)> _processes = [];

    private ScaleOutPlatform(BenchInfrastructure infrastructure, string logDirectory)
    {
        _infrastructure = infrastructure;
        LogDirectory = logDirectory;
    }

    public string LogDirectory { get; }
    public BenchTarget Target { get; private set; } = null!;
    public IReadOnlyList<(string Group, ServiceProcess Process)> Processes => _processes;

    public IReadOnlyList<ServiceProcess> Of(string group) => [.. _processes.Where(p => p.Group == group).Select(p => p.Process)];

    /// <summary>The services' publish folder; throws, saying how to get one, when a service's DLL is not there.</summary>
    public static string ServicesDirectory()
    {
        var directory = Environment.GetEnvironmentVariable(ServicesVariable);
        if (string.IsNullOrEmpty(directory))
        {
            throw new InvalidOperationException(
                $"--scale-out runs the services from their own publish folders, and {ServicesVariable} does not name one: run the benchmark through tools/bench.sh, which publishes them when --scale-out is given");
        }

        foreach (var (service, _, _) in Services)
        {
            if (!File.Exists(Assembly(directory, service)))
            {
                throw new InvalidOperationException($"--scale-out: {Assembly(directory, service)} not found ({ServicesVariable}={directory}): run the benchmark through tools/bench.sh");
            }
        }

        return directory;
    }

    public static async Task<ScaleOutPlatform> StartAsync(BenchOptions options, string servicesDirectory)
    {
        var logs = Directory.CreateTempSubdirectory("notifiche-bench-scale-out-").FullName;
        var platform = new ScaleOutPlatform(await BenchInfrastructure.CreateAsync(options, "bench-scale"), logs);
        try
        {
            await platform.StartProcessesAsync(servicesDirectory);
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }

        return platform;
    }

    private async Task StartProcessesAsync(string servicesDirectory)
    {
        foreach (var (service, group, label) in Services)
        {
            var settings = service switch
            {
                ServiceHosts.Gateway => _infrastructure.Gateway(),
                ServiceHosts.Preferences => _infrastructure.Preferences(),
                _ => _infrastructure.EmailDispatcher(),
            };
            for (var i = 1; i <= Instances; i++)
            {
                _processes.Add((group, new ServiceProcess(service, settings, LogDirectory, Assembly(servicesDirectory, service), $"{label}-{i}")));
            }
        }

        // The first gateway and the first preferences alone first: they migrate their databases and declare the queues the
        // others publish to. The rest then start on a migrated database, as a deployment's added replicas do; the two email
        // dispatchers migrate their fresh ledger together, which EF Core serializes (a lock on the migrations history table).
        var gateways = Of(Gateways);
        var preferences = Of(Preferences);
        await Task.WhenAll(gateways[0].StartAsync(), preferences[0].StartAsync());
        await Task.WhenAll(_processes.Select(p => p.Process).Except([gateways[0], preferences[0]]).Select(p => p.StartAsync()));
        Target = _infrastructure.Target([.. gateways.Select(g => g.BaseAddress)], gateways[0].ManagementAddress, preferences[0].BaseAddress);
    }

    /// <summary>
    /// How the processes run that no setting of theirs shows: the GC's first generation size they inherited from
    /// tools/bench.sh (read from a running process's environment) and whether their runtimeconfig asks for the server GC.
    /// </summary>
    public string DescribeRuntime(string servicesDirectory)
    {
        var gateway = Of(Gateways)[0];
        string gen0;
        try
        {
            gen0 = File.ReadAllText($"/proc/{gateway.ProcessId}/environ").Split('\0')
                .FirstOrDefault(v => v.StartsWith("DOTNET_GCgen0size=", StringComparison.Ordinal)) ?? "DOTNET_GCgen0size not set";
        }
        catch (IOException e)
        {
            gen0 = $"environment unreadable ({e.Message})";
        }

        var gc = new List<string>();
        foreach (var (service, _, label) in Services)
        {
            var config = Path.ChangeExtension(Assembly(servicesDirectory, service), ".runtimeconfig.json");
            using var json = JsonDocument.Parse(File.ReadAllText(config));
            var server = json.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var properties)
                && properties.TryGetProperty("System.GC.Server", out var value) && value.GetBoolean();
            gc.Add($"{label} {(server ? "server" : "workstation")}");
        }

        return $"{gen0} (in {gateway.Label}'s environment); GC {string.Join(", ", gc)} (their runtimeconfig)";
    }

    private static string Assembly(string servicesDirectory, string service) => Path.Combine(servicesDirectory, service, $"{service}.dll");

    /// <summary>SIGTERM to every process, killed if still running after a grace; then the vhost and databases are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_processes.Select(async p =>
        {
            try
            {
                await p.Process.TerminateAsync(StopGrace);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"warning: stopping {p.Process.Label} failed: {e.GetType().Name}: {e.Message}");
            }

            await p.Process.DisposeAsync();
        }));
        _processes.Clear();
        await _infrastructure.DisposeAsync();
    }
}
