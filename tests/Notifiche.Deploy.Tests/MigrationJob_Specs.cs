using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Notifiche.Persistence;
using Notifiche.Testing;

namespace Notifiche.Deploy.Tests;

/// <summary>
/// Issue 19, point 5: each migration Job of deploy/kubernetes/migrations.yaml, run as the Job runs it (the service's
/// build output with the Job's arguments and ConfigMap environment) against the test PostgreSQL; and a service that
/// starts before its database answers, waiting with back-off instead of exiting.
/// </summary>
public class Running_the_migration_jobs
{
    private static readonly KubernetesManifests Manifests = KubernetesManifests.Load();
    private static readonly ComposeFile Compose = ComposeFile.Load();

    private static IEnumerable<TestCaseData> Jobs() =>
        KubernetesManifests.Load().OfKind("Job").Select(j => new TestCaseData(j.Text("metadata.name")).SetArgDisplayNames(j.Text("metadata.name")!));

    [TestCaseSource(nameof(Jobs))]
    public async Task Should_bring_the_schema_up_to_date_and_exit(string name)
    {
        var job = Manifests.Named("Job", name)!;
        var project = KubernetesManifests.ProjectOf(job, Compose)!;
        await using var database = await PostgresTestDatabase.CreateAsync("migrate_job");
        var environment = JobEnvironment(job, database.ConnectionString);

        var (exit, output) = await RunAsync(project, KubernetesManifests.Container(job).List("args").OfType<string>(), environment);

        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(await database.CountAsync("\"__EFMigrationsHistory\""), Is.GreaterThan(0), "migrations applied");
        Assert.That(output, Does.Not.Contain("Now listening"), "the host was not started");
    }

    [Test]
    public async Task Should_wait_for_a_database_that_is_not_up_yet_with_a_logged_back_off()
    {
        await using var database = await PostgresTestDatabase.CreateAsync("migrate_wait");
        var port = FreePort.Next();
        var late = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = port }.ConnectionString;
        var real = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Gateway"] = late,
            ["Database__Startup__FirstDelay"] = "00:00:00.250",
            ["Database__Startup__MaxDelay"] = "00:00:01",
            ["Database__Startup__Attempts"] = "60",
        };

        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var run = RunAsync("Notifiche.Gateway", [DatabaseSchemas.MigrateOnlySwitch], environment, lines);
        await Eventually.Holds(() => lines.Any(l => l.Contains("not reachable at attempt 2 of 60", StringComparison.Ordinal)) || run.IsCompleted,
            TimeSpan.FromSeconds(90), "a second refused try");
        Assert.That(run.IsCompleted, Is.False, "still waiting for PostgreSQL");
        using var forwarder = new TcpForwarder(port, real.Host!, real.Port);
        var (exit, output) = await run;

        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("GatewayDbContext database not reachable at attempt 2 of 60"));
        Assert.That(output, Does.Contain("database reached at attempt"));
        Assert.That(await database.CountAsync("\"__EFMigrationsHistory\""), Is.GreaterThan(0));
    }

    [Test]
    public async Task Should_give_up_after_the_configured_attempts_and_fail()
    {
        var unreachable = $"Host=127.0.0.1;Port={FreePort.Next()};Database=nowhere;Username=nobody;Password=secret-in-the-string";
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Gateway"] = unreachable,
            ["Database__Startup__FirstDelay"] = "00:00:00.100",
            ["Database__Startup__Attempts"] = "3",
        };

        var (exit, output) = await RunAsync("Notifiche.Gateway", [DatabaseSchemas.MigrateOnlySwitch], environment);

        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("attempt 2 of 3"));
        Assert.That(output, Does.Not.Contain("attempt 3 of 3"), "the last failure ends the wait");
        Assert.That(output, Does.Not.Contain("secret-in-the-string"));
    }

    /// <summary>The Job's environment as its ConfigMaps give it, its connection strings pointed at the test database.</summary>
    private static Dictionary<string, string> JobEnvironment(Dictionary<object, object?> job, string connectionString)
    {
        var environment = new Dictionary<string, string>();
        foreach (var from in KubernetesManifests.Container(job).List("envFrom").Maps().Where(f => f.ContainsKey("configMapRef")))
        {
            foreach (var (key, value) in Manifests.Named("ConfigMap", from.Text("configMapRef.name")!)!.Map("data"))
            {
                environment[key.ToString()!] = key.ToString()!.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
                    ? connectionString
                    : value?.ToString() ?? "";
            }
        }

        return environment;
    }

    private static async Task<(int Exit, string Output)> RunAsync(string project, IEnumerable<string> args, Dictionary<string, string> environment,
        System.Collections.Concurrent.ConcurrentQueue<string>? lines = null)
    {
        lines ??= new();
        // tests/Notifiche.Deploy.Tests/bin/<Configuration>/net10.0 → services/<project>/bin/<Configuration>/net10.0/<project>.dll
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Repository.Path("services", project, "bin", output.Parent!.Name, output.Name, project + ".dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll) };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{project} {string.Join(' ', args)} did not exit:\n{string.Join('\n', lines)}");
        }

        process.WaitForExit(); // the redirected streams are drained
        return (process.ExitCode, string.Join('\n', lines));
    }

    /// <summary>A TCP port that starts forwarding to PostgreSQL only when made: the database "comes up" late.</summary>
    private sealed class TcpForwarder : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();

        public TcpForwarder(int port, string host, int targetPort)
        {
            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                    {
                        return;
                    }

                    _ = Task.Run(async () =>
                    {
                        using (client)
                        using (var server = new TcpClient())
                        {
                            try
                            {
                                await server.ConnectAsync(host, targetPort, _stop.Token);
                                await Task.WhenAny(client.GetStream().CopyToAsync(server.GetStream(), _stop.Token),
                                    server.GetStream().CopyToAsync(client.GetStream(), _stop.Token));
                            }
                            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
                            {
                                // the connection or the forwarder ended
                            }
                        }
                    });
                }
            });
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}

/// <summary>
/// Compose's healthcheck: the service image asks its own service (<c>dotnet X.dll --healthcheck</c>), having no curl, on
/// its management port (<c>Management__Port</c>).
/// </summary>
public class Probing_a_service_from_its_container
{
    private static async Task<int> ProbeAsync(int port, params string[] args) => await ProbeAsync(port, null, args);

    private static async Task<int> ProbeAsync(int managementPort, int? publicPort, params string[] args)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Repository.Path("services", "Notifiche.Gateway", "bin", output.Parent!.Name, output.Name, "Notifiche.Gateway.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, WorkingDirectory = Path.GetDirectoryName(dll) };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(Notifiche.ServiceDefaults.HealthProbe.Switch);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["Management__Port"] = managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (publicPort is { } http)
        {
            start.Environment["ASPNETCORE_HTTP_PORTS"] = http.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var process = Process.Start(start)!;
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return process.ExitCode;
    }

    [Test]
    public async Task Should_exit_0_while_the_service_answers_ready_and_1_otherwise()
    {
        var port = FreePort.Next();
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        var ready = true;
        app.MapGet("/health/ready", () => ready ? Microsoft.AspNetCore.Http.Results.Ok() : Microsoft.AspNetCore.Http.Results.StatusCode(503));
        app.MapGet("/health/live", () => Microsoft.AspNetCore.Http.Results.Ok());
        await app.StartAsync();

        Assert.That(await ProbeAsync(port), Is.EqualTo(0), "ready");
        ready = false;
        Assert.That(await ProbeAsync(port), Is.EqualTo(1), "not ready");
        Assert.That(await ProbeAsync(port, "/health/live"), Is.EqualTo(0), "another path");
        // The health endpoints answer on the management port only (issue 16, point 8): the public one is not asked.
        Assert.That(await ProbeAsync(FreePort.Next(), publicPort: port, "/health/live"), Is.EqualTo(1), "the public port is not the probe's");
        await app.StopAsync();
        Assert.That(await ProbeAsync(port), Is.EqualTo(1), "nothing listening");
    }
}
