using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Notifiche.ServiceDefaults;

/// <summary>Cross-cutting setup every Notifiche service shares: telemetry, health, HTTP resilience, problem details.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Tag of the health checks that decide readiness (broker, database); liveness only asks "is the process up".</summary>
    public const string ReadyTag = "ready";

    /// <summary>Prometheus scrape endpoint of every service.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The meter .NET 9+ publishes runtime and process metrics on (no instrumentation package needed).</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>
    /// Telemetry, health, HTTP resilience and problem details. Each service's <c>Add…()</c> calls it, so a host that runs
    /// several services (the standalone) gets it once: later calls do nothing.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        if (!builder.FirstTime(nameof(AddServiceDefaults)))
        {
            return builder;
        }

        // These categories write the full request path, and some paths carry a codice fiscale (the profiles API).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
        });

        var otel = builder.Services.AddOpenTelemetry()
            .WithTracing(t => t
                .AddSource(builder.Environment.ApplicationName, "MassTransit", "Notifiche", "MailKit.Net.SmtpClient")
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health") && !ctx.Request.Path.StartsWithSegments(MetricsPath);
                    // The raw path may carry personal data (/api/v1/profiles/{fiscal_code}): record the route template instead.
                    o.EnrichWithHttpResponse = (activity, response) => activity.SetTag("url.path",
                        (response.HttpContext.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)");
                })
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(m => m
                .AddMeter("MassTransit", "Notifiche", "mailkit.net.smtp")
                // .NET's built-in runtime meter (GC, thread pool, exceptions, and the process's CPU time and working set)
                // and Npgsql's (connection pool use, wait and create times, command durations).
                .AddMeter(RuntimeMeter)
                .AddNpgsqlInstrumentation()
                .AddView(SecondsHistograms.View)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddPrometheusExporter());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<StorageUnavailableHandler>();
        // The public APIs speak snake_case JSON, like the IO app's API that administrations already integrate with.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());

        return builder;
    }

    /// <summary>The services of a service with a public API (its OpenAPI document). Once per host.</summary>
    public static IHostApplicationBuilder AddApiDefaults(this IHostApplicationBuilder builder)
    {
        if (builder.FirstTime(nameof(AddApiDefaults)))
        {
            builder.Services.AddOpenApi();
            builder.Services.AddOptions<ApiProtectionOptions>().BindConfiguration(ApiProtectionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
            builder.Services.AddSingleton<ApiProtection>();
        }

        return builder;
    }

    /// <summary>
    /// The middleware of a service with a public API: the body size limit and the throttling of failed
    /// authentications (<see cref="ApiProtection"/>), key authentication, problem+json for responses that would
    /// otherwise have no body (415 from routing, 405, 404 of unknown paths), and the OpenAPI document. Called by each
    /// service's <c>Map…()</c> before it maps its API; once per host (later calls do nothing).
    /// </summary>
    public static WebApplication UseApiDefaults(this WebApplication app)
    {
        if (!app.FirstTime(nameof(UseApiDefaults)))
        {
            return app;
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        var protection = app.Services.GetRequiredService<ApiProtection>();
        app.Use((context, next) => protection.InvokeAsync(context, next));
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        return app;
    }

    /// <summary>
    /// <c>/health/live</c> (process up), <c>/health/ready</c> (every check tagged ready, e.g. broker and database) and
    /// the Prometheus scrape endpoint <c>/metrics</c>.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        if (!app.FirstTime(nameof(MapDefaultEndpoints)))
        {
            return app;
        }

        app.MapPrometheusScrapingEndpoint(MetricsPath);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(ReadyTag) || r.Tags.Contains("masstransit"),
            // MassTransit reports a bus that lost its broker as Degraded: not ready to take work.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }

    /// <summary>True the first time a host's composition asks about <paramref name="what"/> (builder side).</summary>
    public static bool FirstTime(this IHostApplicationBuilder builder, string what) => builder.Properties.TryAdd($"notifiche:{what}", true);

    /// <summary>True the first time a host's composition asks about <paramref name="what"/> (application side).</summary>
    public static bool FirstTime(this WebApplication app, string what) =>
        ((IApplicationBuilder)app).Properties.TryAdd($"notifiche:{what}", true);
}
