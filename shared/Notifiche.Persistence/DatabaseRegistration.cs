using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.ServiceDefaults;

namespace Notifiche.Persistence;

public enum DatabaseProvider
{
    PostgreSql,
    /// <summary>Embedded default only: schema created on start from the model, no migrations.</summary>
    Sqlite,
}

public static class DatabaseRegistration
{
    /// <summary>
    /// Registers a service's own database: connection string <c>ConnectionStrings:{name}</c>, provider
    /// <c>{name}:Database:Provider</c>, snake_case names, a readiness check, and its schema brought up to date when the
    /// host starts (<see cref="DatabaseSchema{TContext}"/>: before the bus and every later hosted service, and before
    /// Kestrel listens). Call it first in a service's <c>Add…()</c>.
    /// </summary>
    public static IHostApplicationBuilder AddNotificheDatabase<TContext>(this IHostApplicationBuilder builder, string name)
        where TContext : DbContext
    {
        if (builder.Services.Any(s => s.ServiceType == typeof(TContext)))
        {
            return builder;
        }

        var provider = builder.Configuration.GetValue($"{name}:Database:Provider", DatabaseProvider.PostgreSql);
        var connectionString = builder.Configuration.GetConnectionString(name)
            ?? throw new InvalidOperationException($"ConnectionStrings:{name} is not configured");
        if (provider == DatabaseProvider.PostgreSql)
        {
            // Issue 16: a database password given in the connection string is a secret like any other.
            builder.Services.AddOptions<DatabaseConnection>(name).Configure(c => c.ConnectionString = connectionString)
                .ValidateSecrets(c => [Secrets.ConnectionStringProblem($"ConnectionStrings:{name}", c.ConnectionString)]);
            connectionString = WithAutoPrepare(connectionString);
        }

        builder.Services.AddDbContext<TContext>(o =>
        {
            _ = provider == DatabaseProvider.Sqlite ? o.UseSqlite(connectionString) : o.UseNpgsql(connectionString);
            o.UseSnakeCaseNamingConvention();
        });
        builder.Services.AddHealthChecks().AddDbContextCheck<TContext>($"{name.ToLowerInvariant()}-db", tags: [ServiceDefaultsExtensions.ReadyTag]);
        builder.Services.AddHostedService<DatabaseSchema<TContext>>();
        return builder;
    }

    /// <summary>
    /// Npgsql's automatic preparation unless the connection string sets it: every service repeats a handful of statements,
    /// which PostgreSQL then parses and plans once per connection instead of once per execution (issue 15: about a third of
    /// PostgreSQL's CPU per notice in the benchmark).
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.Keys.Cast<string>().Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            return connectionString; // set, maybe to 0 (off)
        }

        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 32, AutoPrepareMinUsages = 2 }.ConnectionString;
    }

    /// <summary>Brings the schema up to date: migrations on PostgreSQL, created from the model on SQLite.</summary>
    public static async Task PrepareDatabaseAsync<TContext>(this IServiceProvider services, CancellationToken ct = default)
        where TContext : DbContext
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        if (db.Database.IsNpgsql())
        {
            await db.Database.MigrateAsync(ct);
        }
        else
        {
            await db.Database.EnsureCreatedAsync(ct);
        }
    }

    /// <summary>For <c>dotnet ef</c> design-time factories: the options migrations are generated with.</summary>
    public static DbContextOptions<TContext> DesignTimeOptions<TContext>()
        where TContext : DbContext =>
        new DbContextOptionsBuilder<TContext>().UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options;
}

/// <summary>A service's connection string, as an option so that its password is validated when the host starts.</summary>
public sealed class DatabaseConnection
{
    public string ConnectionString { get; set; } = string.Empty;
}

/// <summary>Migrates (PostgreSQL) or creates (SQLite) a service's schema when its host starts.</summary>
public sealed class DatabaseSchema<TContext>(IServiceProvider services) : IHostedService
    where TContext : DbContext
{
    public Task StartAsync(CancellationToken cancellationToken) => services.PrepareDatabaseAsync<TContext>(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
