using Npgsql;

namespace Notifiche.Testing;

/// <summary>A database of its own for one fixture on the test PostgreSQL, dropped afterwards.</summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    private PostgresTestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<PostgresTestDatabase> CreateAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using var admin = new NpgsqlConnection(TestEnvironment.PostgresAdmin);
        await admin.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin))
        {
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdmin) { Database = name };
        return new PostgresTestDatabase(name, builder.ConnectionString);
    }

    public async Task<long> CountAsync(string table)
    {
        // Unpooled: an outage spec (SetReachableAsync, TerminateConnectionsAsync) kills pooled connections, and a count
        // taken later on one of them would fail with 57P01 instead of counting.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Refuses connections to this database and drops the open ones (an outage), or lets them in again.</summary>
    public async Task SetReachableAsync(bool reachable)
    {
        await using var admin = new NpgsqlConnection(TestEnvironment.PostgresAdmin);
        await admin.OpenAsync();
        await using (var allow = new NpgsqlCommand($"ALTER DATABASE \"{Name}\" WITH ALLOW_CONNECTIONS {(reachable ? "true" : "false")}", admin))
        {
            await allow.ExecuteNonQueryAsync();
        }

        if (!reachable)
        {
            await using var terminate = new NpgsqlCommand($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Name}'", admin);
            await terminate.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Terminates every open connection to this database (as a failover or an administrator would); new ones are welcome.</summary>
    public async Task<int> TerminateConnectionsAsync()
    {
        await using var admin = new NpgsqlConnection(TestEnvironment.PostgresAdmin);
        await admin.OpenAsync();
        await using var terminate = new NpgsqlCommand(
            $"SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{Name}' AND pid <> pg_backend_pid()", admin);
        return Convert.ToInt32(await terminate.ExecuteScalarAsync());
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(TestEnvironment.PostgresAdmin);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
