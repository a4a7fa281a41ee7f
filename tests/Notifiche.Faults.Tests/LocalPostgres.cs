using Npgsql;
using Notifiche.Testing;

namespace Notifiche.Faults.Tests;

/// <summary>A PostgreSQL cluster of the suite's own, so that stopping it disturbs no other test project.</summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string _root;
    private readonly string _bin;

    private LocalPostgres(string root, string bin, int port)
    {
        _root = root;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }
    private string Data => Path.Combine(_root, "data");

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password=postgres;Database={database};Timeout=5;Command Timeout=15;Max Auto Prepare=20";

    public static async Task<LocalPostgres> StartNewAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb"))) ?? throw new InvalidOperationException("PostgreSQL binaries not found");
        var root = Directory.CreateTempSubdirectory("nf-pg-").FullName;
        var pg = new LocalPostgres(root, bin, FreePort.Next());
        Directory.CreateDirectory(Path.Combine(root, "socket"));
        if (Environment.UserName == "root")
        {
            await OsProcess.RunAsync("chown", ["-R", "postgres:", root]);
        }

        await OsProcess.RunAsPostgresAsync(Path.Combine(bin, "initdb"),
            ["-D", pg.Data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"]);
        await File.AppendAllTextAsync(Path.Combine(pg.Data, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            port = {pg.Port}
            unix_socket_directories = '{Path.Combine(root, "socket")}'
            max_connections = 200
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            """);
        await pg.StartAsync();
        return pg;
    }

    public async Task StartAsync()
    {
        await OsProcess.RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-l", Path.Combine(_root, "postgres.log"), "-w", "-t", "60", "start"]);
        await Eventually.Until(async () =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
                await connection.OpenAsync();
                return true;
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, up => up, TimeSpan.FromSeconds(60), "the suite's PostgreSQL to accept connections");
    }

    /// <summary>A fast shutdown: clients are disconnected, the server is gone until <see cref="StartAsync"/>.</summary>
    public Task StopAsync() =>
        OsProcess.RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "fast", "-w", "-t", "60", "stop"]);

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

    public async ValueTask DisposeAsync()
    {
        await OsProcess.RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "-t", "30", "stop"])
            .ContinueWith(_ => { });
        Directory.Delete(_root, recursive: true);
    }
}
