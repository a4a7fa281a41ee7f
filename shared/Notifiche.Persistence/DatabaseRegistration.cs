using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
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

        // Pooled (issue 15): the options are built once, and a context's EF Core services are set up once and reused, instead of
        // per message and per request (about a tenth of the services' CPU in the benchmark's profile). A scope still gets
        // its own context, returned to the pool when the scope ends; pooling resets a context's state, so what our
        // contexts change from EF Core's defaults is set again on every rent (ForUse).
        builder.Services.AddPooledDbContextFactory<TContext>(o =>
        {
            _ = provider == DatabaseProvider.Sqlite ? o.UseSqlite(connectionString) : o.UseNpgsql(connectionString);
            o.UseSnakeCaseNamingConvention();
        });
        builder.Services.AddScoped(s => ForUse(s.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContext()));
        builder.Services.AddHealthChecks().AddDbContextCheck<TContext>($"{name.ToLowerInvariant()}-db", tags: [ServiceDefaultsExtensions.ReadyTag]);
        builder.Services.AddOptions<DatabaseStartupOptions>().BindConfiguration(DatabaseStartupOptions.Section).ValidateDataAnnotations();
        builder.Services.AddSingleton<DatabaseSchema<TContext>>();
        builder.Services.AddSingleton<IDatabaseSchema>(s => s.GetRequiredService<DatabaseSchema<TContext>>());
        builder.Services.AddHostedService(s => s.GetRequiredService<DatabaseSchema<TContext>>());
        return builder;
    }

    /// <summary>
    /// A context as every service uses it: no savepoints around SaveChanges (none of our transactions goes on after a failed
    /// SaveChanges, and each savepoint is two more round trips). Set on every rent, since a pooled context is reset to EF
    /// Core's defaults when it is returned.
    /// </summary>
    public static TContext ForUse<TContext>(TContext context)
        where TContext : DbContext
    {
        context.Database.AutoSavepointsEnabled = false;
        return context;
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

/// <summary>A service's schema step, for <see cref="DatabaseSchemas.MigrateOnlyAsync"/>.</summary>
public interface IDatabaseSchema
{
    Task PrepareAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Migrates (PostgreSQL) or creates (SQLite) a service's schema when its host starts, retrying while the database is
/// unreachable (<see cref="DatabaseStartupOptions"/>): a transient error (connection refused, timeout, the server
/// starting or shutting down) is logged and tried again after a back-off; any other error (a wrong password, a failed
/// migration) stops the start at once.
/// </summary>
public sealed class DatabaseSchema<TContext>(IServiceProvider services, IOptions<DatabaseStartupOptions> options,
    ILogger<DatabaseSchema<TContext>> logger) : IHostedService, IDatabaseSchema
    where TContext : DbContext
{
    public Task StartAsync(CancellationToken cancellationToken) => PrepareAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var startup = options.Value;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await services.PrepareDatabaseAsync<TContext>(cancellationToken);
                if (attempt > 1)
                {
                    logger.LogInformation("{Database} database reached at attempt {Attempt}; schema up to date", typeof(TContext).Name, attempt);
                }

                return;
            }
            catch (Exception e) when (attempt < startup.Attempts && IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                var delay = startup.DelayAfter(attempt);
                // The exception's type and SQL state only: its message can name the server and the user.
                logger.LogWarning("{Database} database not reachable at attempt {Attempt} of {Attempts} ({Error}); next try in {Delay} s",
                    typeof(TContext).Name, attempt, startup.Attempts, Describe(e), delay.TotalSeconds);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    /// <summary>Worth another try: the database is not (yet) there, as opposed to refusing us or failing a migration.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        PostgresException p => p.IsTransient || p.SqlState is PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown
            or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.TooManyConnections,
        NpgsqlException n => n.IsTransient,
        TimeoutException or System.Net.Sockets.SocketException => true,
        _ => e.InnerException is { } inner && IsTransient(inner),
    };

    private static string Describe(Exception e) =>
        e is PostgresException p ? $"{p.GetType().Name} {p.SqlState}" : e.InnerException is { } inner ? $"{e.GetType().Name}: {inner.GetType().Name}" : e.GetType().Name;
}

public static class DatabaseSchemas
{
    /// <summary>The switch that makes a service image a migration job: bring every database of the service up to date, then exit.</summary>
    public const string MigrateOnlySwitch = "--migrate-only";

    public static bool IsMigrateOnly(string[] args) => args.Contains(MigrateOnlySwitch, StringComparer.Ordinal);

    /// <summary>
    /// The arguments for the host's configuration, without the switches it does not understand. A migration run never
    /// starts the bus, so it is composed on the in-memory transport: the Job needs the database's settings and secret only,
    /// not the broker's (whose password it is not given, and which the start-up validation would otherwise demand).
    /// </summary>
    public static string[] HostArguments(string[] args) => IsMigrateOnly(args)
        ? [.. args.Where(a => a != MigrateOnlySwitch), "--Messaging:Transport=InMemory"]
        : args;

    /// <summary>
    /// Runs every database's schema step of a built host (with its retries) without starting the host: no bus, no
    /// Kestrel, no background work. 0 when done, 1 when a step failed (logged).
    /// </summary>
    public static async Task<int> MigrateOnlyAsync(this IHost host)
    {
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseSchemas).FullName!);
        try
        {
            foreach (var schema in host.Services.GetServices<IDatabaseSchema>())
            {
                await schema.PrepareAsync(CancellationToken.None);
            }

            logger.LogInformation("Every database schema is up to date");
            return 0;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Bringing the database schema up to date failed");
            return 1;
        }
    }
}
