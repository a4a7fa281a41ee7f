using System.Diagnostics;
using Notifiche.Testing.Servers;

namespace Notifiche.Testing;

/// <summary>
/// One Notifiche service run as its own process (<c>dotnet Notifiche.X.dll</c>), configured by environment variables as a
/// container would be, that its owner can SIGKILL, SIGTERM and start again: the fault suite's services, the benchmark's
/// scale-out layout.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly string _assembly;
    private readonly string _log;
    private Process? _process;

    /// <param name="name">The service's project and assembly name (<see cref="ServiceHosts.Gateway"/>, …).</param>
    /// <param name="assembly">
    /// The service's DLL, run from its folder (a publish folder of its own: the services' appsettings.json collide in a shared
    /// one); null = its build output beside the calling test project's (<c>services/&lt;name&gt;/bin/&lt;Configuration&gt;/net10.0</c>).
    /// </param>
    /// <param name="label">What the log file and messages call this instance (several of one service: <c>gateway-2</c>); null = <paramref name="name"/>.</param>
    public ServiceProcess(string name, IReadOnlyDictionary<string, string?> settings, string logDirectory, string? assembly = null, string? label = null)
    {
        Name = name;
        Label = label ?? name;
        Port = FreePort.Next();
        ManagementPort = FreePort.Next();
        _settings = settings;
        _assembly = assembly ?? BuildOutput(name);
        _log = Path.Combine(logDirectory, $"{Label}.log");
    }

    public string Name { get; }
    public string Label { get; }
    /// <summary>The operating system's id of the process last started.</summary>
    public int? ProcessId => _process?.Id;
    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    /// <summary>Its management port: <c>/health/*</c>, <c>/metrics</c> and the gateway's admin API.</summary>
    public int ManagementPort { get; }
    public Uri ManagementAddress => new($"http://127.0.0.1:{ManagementPort}");
    public int Starts { get; private set; }

    public async Task StartAsync()
    {
        if (!File.Exists(_assembly))
        {
            throw new FileNotFoundException($"{Label}: {_assembly} not found (build the solution, or publish the service, first)", _assembly);
        }

        var start = new ProcessStartInfo("dotnet", [_assembly])
        {
            WorkingDirectory = Path.GetDirectoryName(_assembly)!, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = BaseAddress.ToString();
        start.Environment["Management__Port"] = ManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["MASSTRANSIT_USAGE_TELEMETRY"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in _settings)
        {
            start.Environment[key.Replace(":", "__")] = value;
        }

        var log = new StreamWriter(_log, append: true) { AutoFlush = true };
        await log.WriteLineAsync($"---- start #{++Starts} at {DateTime.UtcNow:O}");
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Write(log, e.Data);
        _process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        _process.Exited += (_, _) => log.Dispose();
        _process.EnableRaisingEvents = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitReadyAsync();
    }

    public async Task WaitReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Until(async () =>
        {
            if (_process is null || _process.HasExited)
            {
                throw new InvalidOperationException($"{Label} exited during startup; last lines:\n{Tail()}");
            }

            try
            {
                // Ready (its database) and consuming (its bus connected): readiness alone no longer waits for the broker.
                return (await http.GetAsync(new Uri(ManagementAddress, "/health/ready"))).IsSuccessStatusCode
                    && (await http.GetAsync(new Uri(ManagementAddress, "/health/bus"))).IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, ready => ready, TimeSpan.FromSeconds(120), $"{Label} ready and its bus connected");
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM, then waits for the process to finish in-flight work and exit (killed after <paramref name="grace"/>).</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan grace)
    {
        var watch = Stopwatch.StartNew();
        if (_process is { HasExited: false })
        {
            await OsProcess.SignalAsync(_process.Id, "TERM");
            using var cts = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
            }
        }

        return watch.Elapsed;
    }

    public int? ExitCode => _process is { HasExited: true } ? _process.ExitCode : null;

    public string Tail(int lines = 40) =>
        File.Exists(_log) ? string.Join('\n', File.ReadLines(_log).TakeLast(lines)) : "(no log)";

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The process exited while its last lines were in flight.
            }
        }
    }

    private static string BuildOutput(string name)
    {
        // tests/<project>/bin/<Configuration>/net10.0 → services/<name>/bin/<Configuration>/net10.0/<name>.dll
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var root = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(root, "services", name, "bin", configuration, output.Name, $"{name}.dll");
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}
