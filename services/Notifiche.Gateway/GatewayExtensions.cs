using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Outbox;
using Notifiche.Gateway.Registry;
using Notifiche.Gateway.Status;
using Notifiche.ServiceDefaults;

namespace Notifiche.Gateway;

public enum DatabaseProvider
{
    PostgreSql,
    /// <summary>Embedded default only: schema created on start, no migrations.</summary>
    Sqlite,
}

public static class GatewayExtensions
{
    /// <summary>The gateway's services: store, registry, key authentication, outbox relay. Consumers come from <see cref="AddGatewayConsumers"/>.</summary>
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        var provider = builder.Configuration.GetValue("Gateway:Database:Provider", DatabaseProvider.PostgreSql);
        var connectionString = builder.Configuration.GetConnectionString("Gateway")
            ?? throw new InvalidOperationException("ConnectionStrings:Gateway is not configured");
        builder.Services.AddDbContext<GatewayDbContext>(o =>
        {
            _ = provider == DatabaseProvider.Sqlite
                ? o.UseSqlite(connectionString)
                : o.UseNpgsql(connectionString);
            o.UseSnakeCaseNamingConvention();
        });
        builder.Services.AddHealthChecks().AddDbContextCheck<GatewayDbContext>("gateway-db", tags: [ServiceDefaultsExtensions.ReadyTag]);

        builder.Services.AddScoped<ServiceRegistry>();
        builder.Services.AddScoped<NoticeStore>();
        builder.Services.AddScoped<NoticeStatusUpdater>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<OutboxRelay>();

        builder.Services.AddOptions<OperatorOptions>().BindConfiguration(OperatorOptions.Section);
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ServiceKeyHandler>(KeySchemes.Service, null)
            .AddScheme<AuthenticationSchemeOptions, OperatorKeyHandler>(KeySchemes.Operator, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(KeySchemes.Service, p => p.AddAuthenticationSchemes(KeySchemes.Service).RequireClaim(KeySchemes.ServiceIdClaim))
            .AddPolicy(KeySchemes.Operator, p => p.AddAuthenticationSchemes(KeySchemes.Operator).RequireRole("operator"));

        builder.Services.Configure<ProblemDetailsOptions>(o => o.CustomizeProblemDetails = ctx =>
        {
            if (ctx.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                ctx.ProblemDetails.Detail = "Send the request as JSON with 'Content-Type: application/json'.";
            }
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>Status tracking: the events that move a stored notice's status.</summary>
    public static void AddGatewayConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<NoticeRoutedConsumer>();
        bus.AddConsumer<NotificationSentConsumer>();
        bus.AddConsumer<NotificationFailedConsumer>();
        bus.AddConsumer<NotificationExpiredConsumer>();
        bus.AddConsumer<SendEmailFaultConsumer>();
        bus.AddConsumer<SendSmsFaultConsumer>();
        bus.AddConsumer<SendPushFaultConsumer>();
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        // Responses without a body (415 from routing, 405, 404 of unknown paths) become problem+json too.
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapNotices();
        app.MapAdmin();
        return app;
    }

    /// <summary>Brings the schema up to date: migrations on PostgreSQL, created from the model on SQLite.</summary>
    public static async Task PrepareGatewayDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        if (db.Database.IsNpgsql())
        {
            await db.Database.MigrateAsync(ct);
        }
        else
        {
            await db.Database.EnsureCreatedAsync(ct);
        }
    }
}
