using Npgsql;

namespace Notifiche.Testing.Servers;

/// <summary>
/// A throwaway PostgreSQL cluster, like a Testcontainers container without Docker: the newest installed server
/// (<c>/usr/lib/postgresql/*/bin</c>) on a free loopback port, with its own data directory and socket directory, so it
/// never touches a system-wide PostgreSQL. It can be stopped, killed with SIGKILL and started again on the same data.
/// </summary>
/// <remarks>
/// The settings are the deployment's (deploy/kubernetes/postgres-cluster.yaml: <c>max_connections</c> 400; compose runs the
/// image's defaults), except for what a throwaway test cluster needs otherwise:
/// <list type="bullet">
/// <item>the superuser <c>postgres</c>/<c>postgres</c> with <c>trust</c> authentication, on loopback only, not the
/// deployment's <c>notifiche</c> role with a SCRAM password;</item>
/// <item>no durability (<c>fsync</c>, <c>synchronous_commit</c>, <c>full_page_writes</c> off): the data is thrown away
/// with the run, and a killed server loses nothing the operating system already has — unless
/// <c>NOTIFICHE_TEST_POSTGRES_DURABLE=1</c> (<see cref="DurableVariable"/>), which the benchmark sets: it measures the
/// database as deployed, every commit flushed to disk;</item>
/// <item>whichever major version Debian ships (15 on Debian 12), where the deployment runs 16.</item>
/// </list>
/// </remarks>
public sealed class LocalPostgres : IAsyncDisposable
{
    public const string Host = "127.0.0.1";
    public const string User = "postgres";
    public const string Password = "postgres";
    private static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(180);

    /// <summary>Set to <c>1</c>: the cluster keeps PostgreSQL's durable defaults (tools/bench.sh sets it).</summary>
    public const string DurableVariable = "NOTIFICHE_TEST_POSTGRES_DURABLE";

    private static bool Durable => Environment.GetEnvironmentVariable(DurableVariable) == "1";

    /// <summary>Set to <c>1</c>: the cluster loads <c>pg_stat_statements</c>, so a run can say which statements its time went to (<c>tools/bench.sh --pg-statements</c>).</summary>
    public const string StatementsVariable = "NOTIFICHE_TEST_POSTGRES_STATEMENTS";

    private static bool Statements => Environment.GetEnvironmentVariable(StatementsVariable) == "1";

    private readonly string _root;
    private readonly string _bin;
    private readonly OrphanGuard _guard;
    private bool _disposed;

    private LocalPostgres(string root, string bin)
    {
        _root = root;
        _bin = bin;
        Port = FreePort.Next();
        // If this process dies without disposing the cluster: an immediate shutdown, SIGKILL if that is not enough, then
        // its files go. (pg_ctl starts the postmaster in a session of its own; its backends are in that process group.)
        _guard = OrphanGuard.Start($"""
            pid=$(head -n1 '{Data}/postmaster.pid' 2>/dev/null)
            [ -n "$pid" ] && kill -QUIT "$pid"
            sleep 3
            [ -n "$pid" ] && kill -KILL -- "-$pid"
            rm -rf '{root}'
            """);
    }

    public int Port { get; }
    /// <summary>The PostgreSQL major version that runs (the directory name under /usr/lib/postgresql).</summary>
    public string Version => Path.GetFileName(Path.GetDirectoryName(_bin)!);
    public bool IsRunning => PostmasterPid() is { } pid && OsProcess.IsAlive(pid);
    /// <summary>The server's log file, e.g. to keep it when a run fails.</summary>
    public string LogFile => Path.Combine(_root, "postgres.log");
    private string Data => Path.Combine(_root, "data");

    /// <summary>The superuser on <paramref name="database"/>, with Npgsql's default timeouts and pooling.</summary>
    public string GetConnectionString(string database = "postgres") =>
        $"Host={Host};Port={Port};Username={User};Password={Password};Database={database}";

    /// <summary>
    /// The superuser on <paramref name="database"/> with short timeouts, for clients that must notice a stopped or killed
    /// server quickly (the fault suite's services).
    /// </summary>
    public string ConnectionString(string database) =>
        GetConnectionString(database) + ";Timeout=5;Command Timeout=15";

    /// <summary>A cluster, configured but not started (<see cref="StartAsync"/> runs initdb the first time).</summary>
    public static LocalPostgres Create()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql")
            .Where(d => int.TryParse(Path.GetFileName(d), out _))
            .OrderByDescending(d => int.Parse(Path.GetFileName(d)))
            .Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin");
        return new LocalPostgres(Directory.CreateTempSubdirectory("notifiche-postgres-").FullName, bin);
    }

    public static async Task<LocalPostgres> StartNewAsync(TimeSpan? startTimeout = null, CancellationToken cancellation = default)
    {
        var pg = Create();
        try
        {
            await pg.StartAsync(startTimeout, cancellation);
            return pg;
        }
        catch
        {
            await pg.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (initialising its data the first time) and waits until it accepts connections.</summary>
    public async Task StartAsync(TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        var limit = timeout ?? DefaultStartTimeout;
        if (!File.Exists(Path.Combine(Data, "PG_VERSION")))
        {
            await InitialiseAsync();
        }

        await OsProcess.RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"),
            ["-D", Data, "-l", LogFile, "-w", "-t", ((int)limit.TotalSeconds).ToString(), "start"], limit + TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(AcceptsConnectionsAsync, () => IsRunning ? null : $"the server exited; see {LogFile}", limit,
            $"PostgreSQL on {Host}:{Port}", cancellation);
    }

    private async Task InitialiseAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "socket"));
        var passwordFile = Path.Combine(_root, "pwfile");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        if (OsProcess.IsRoot)
        {
            // PostgreSQL refuses to run as root: the postgres OS user runs it and owns its files.
            await OsProcess.RunAsync("chown", ["-R", "postgres:", _root]);
        }

        await OsProcess.RunAsPostgresAsync(Path.Combine(_bin, "initdb"),
            ["-D", Data, "-U", User, $"--pwfile={passwordFile}", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"]);
        await File.AppendAllTextAsync(Path.Combine(Data, "postgresql.conf"), $"""

            # --- Notifiche.Testing.Servers.LocalPostgres (a throwaway test cluster) ---
            listen_addresses = '{Host}'
            port = {Port}
            unix_socket_directories = '{Path.Combine(_root, "socket")}'
            max_connections = 400
            {(Durable ? "# durable: fsync, synchronous_commit and full_page_writes as PostgreSQL ships them (on)" : """
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                """)}
            {(Statements ? "shared_preload_libraries = 'pg_stat_statements'" : string.Empty)}
            """);
    }

    /// <summary>A fast shutdown: clients are disconnected, the server is gone until <see cref="StartAsync"/>.</summary>
    public Task StopAsync() =>
        OsProcess.RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "fast", "-w", "-t", "60", "stop"]);

    /// <summary>SIGKILL to the postmaster and its backends: no shutdown at all; the next start recovers from the WAL.</summary>
    public async Task KillAsync()
    {
        if (PostmasterPid() is { } pid && OsProcess.IsAlive(pid))
        {
            await OsProcess.SignalAsync(pid, "KILL", group: true);
            await Wait.UntilAsync(() => Task.FromResult(!OsProcess.IsAlive(pid)), () => null, TimeSpan.FromSeconds(30),
                "the killed postmaster to be gone", CancellationToken.None);
        }
    }

    /// <summary>A fast shutdown, then a start on the same data.</summary>
    public async Task RestartAsync(TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        await StopAsync();
        await StartAsync(timeout, cancellation);
    }

    public async Task<long> ScalarAsync(string database, string sql)
    {
        // Unpooled: a pooled connection would not survive the scenario that restarts the server.
        await using var connection = new NpgsqlConnection(ConnectionString(database) + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>The rows of a query, each as its columns' text.</summary>
    public async Task<IReadOnlyList<string[]>> RowsAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database) + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? string.Empty : Convert.ToString(reader.GetValue(i))!).ToArray());
        }

        return rows;
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(GetConnectionString() + ";Pooling=false");
            await connection.OpenAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private int? PostmasterPid()
    {
        try
        {
            return int.TryParse(File.ReadLines(Path.Combine(Data, "postmaster.pid")).FirstOrDefault(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>An immediate shutdown (a throwaway cluster needs no checkpoint), then its data and log are deleted.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (PostmasterPid() is { } pid && OsProcess.IsAlive(pid))
        {
            await OsProcess.RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "-t", "30", "stop"])
                .ContinueWith(_ => { });
            // pg_ctl returns once postmaster.pid is gone; the processes may need a moment more, or a kill.
            try
            {
                await Wait.UntilAsync(() => Task.FromResult(!OsProcess.IsAlive(pid)), () => null, TimeSpan.FromSeconds(5),
                    "the postmaster to exit", CancellationToken.None);
            }
            catch (TimeoutException)
            {
                await OsProcess.SignalAsync(pid, "KILL", group: true);
            }
        }

        Directory.Delete(_root, recursive: true);
        _guard.Dispose();
    }
}
