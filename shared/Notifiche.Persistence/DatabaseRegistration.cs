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
    /// <c>{name}:Database:Provider</c>, snake_case names, and a readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddNotificheDatabase<TContext>(this IHostApplicationBuilder builder, string name)
        where TContext : DbContext
    {
        var provider = builder.Configuration.GetValue($"{name}:Database:Provider", DatabaseProvider.PostgreSql);
        var connectionString = builder.Configuration.GetConnectionString(name)
            ?? throw new InvalidOperationException($"ConnectionStrings:{name} is not configured");
        builder.Services.AddDbContext<TContext>(o =>
        {
            _ = provider == DatabaseProvider.Sqlite ? o.UseSqlite(connectionString) : o.UseNpgsql(connectionString);
            o.UseSnakeCaseNamingConvention();
        });
        builder.Services.AddHealthChecks().AddDbContextCheck<TContext>($"{name.ToLowerInvariant()}-db", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
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
