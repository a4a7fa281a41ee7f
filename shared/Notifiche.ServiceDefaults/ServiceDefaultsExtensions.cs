using System.Text.Json;
using System.Text.Json.Serialization;
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
    /// <summary>
    /// Tag of the health checks that decide readiness: a service's databases. The broker and the gateway's outbox are
    /// reported beside them in <c>/health/ready</c>'s answer but do not decide it (issue 19): with the broker away the
    /// gateway still accepts notices into its outbox, which is what the outbox is for, and metrics and alerts tell
    /// the on-call engineer. Liveness only asks "is the process up".
    /// </summary>
    public const string ReadyTag = "ready";

    /// <summary>Tag of the bus's health check (MassTransit's, named <c>masstransit-bus</c>): it decides <see cref="BusPath"/>.</summary>
    public const string BusTag = "bus";

    /// <summary>Tag of a check whose description is ours (counts, ages, no secrets): the health answers show it.</summary>
    public const string DescribedTag = "described";

    /// <summary>Readiness: 200 while every <see cref="ReadyTag"/> check is healthy.</summary>
    public const string ReadyPath = "/health/ready";

    /// <summary>
    /// 200 while the bus is connected to the broker: for whoever must wait until a service consumes again (the test
    /// platforms after a broker restart, an operator), never for a load balancer.
    /// </summary>
    public const string BusPath = "/health/bus";

    /// <summary>Liveness: the process is up.</summary>
    public const string LivePath = "/health/live";

    /// <summary>Prometheus scrape endpoint of every service.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The name of the OpenAPI document (served at <c>/openapi/v1.json</c>); services add their transformers to it.</summary>
    public const string OpenApiDocument = "v1";

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

        // These categories write the full request path, and some paths carry a codice fiscale (the profiles API). Hosting's
        // is off altogether: while it is enabled at any level, every line logged during a request carries its scope
        // "RequestPath:/api/v1/profiles/<codice fiscale>", which the exported logs include (IncludeScopes). A start-up
        // failure it would log still ends the process with the exception on stderr.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
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
        builder.Services.AddExceptionHandler<BadRequestBodyHandler>();
        // A body that cannot be bound throws (instead of a bare 400) so that BadRequestBodyHandler can name the field.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // The public APIs speak snake_case JSON, like the IO app's API that administrations already integrate with; an
        // unknown member is refused (a misspelt optional field would otherwise be silently dropped).
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        ManagementPort.Listen(builder);

        return builder;
    }

    /// <summary>The services of a service with a public API (its OpenAPI document). Once per host.</summary>
    public static IHostApplicationBuilder AddApiDefaults(this IHostApplicationBuilder builder)
    {
        if (builder.FirstTime(nameof(AddApiDefaults)))
        {
            builder.Services.AddOpenApi(OpenApiDocument);
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
    /// <c>/health/live</c> (process up), <c>/health/ready</c> (every check run and reported; the databases, tagged
    /// <see cref="ReadyTag"/>, decide), <c>/health/bus</c> (the bus connected) and the Prometheus scrape endpoint
    /// <c>/metrics</c>. Each answers JSON naming every check it ran and its state (<see cref="HealthAnswers"/>). All four
    /// answer on the management port only (<see cref="ManagementPort"/>), whose gate this puts first in the pipeline:
    /// every service's <c>Map…()</c> calls this before anything else that handles requests.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        if (!app.FirstTime(nameof(MapDefaultEndpoints)))
        {
            return app;
        }

        ManagementPort.UseGate(app);
        app.MapPrometheusScrapingEndpoint(MetricsPath).OnManagementPort();
        app.MapHealthChecks(LivePath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains("live"),
            ResponseWriter = HealthAnswers.Writer(tags => tags.Contains("live")),
        }).OnManagementPort();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = r => !r.Tags.Contains("live"),
            ResponseWriter = HealthAnswers.Writer(tags => tags.Contains(ReadyTag)),
        }).OnManagementPort();
        // MassTransit reports a bus that lost its broker as Degraded or Unhealthy: either is 503 here.
        app.MapHealthChecks(BusPath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(BusTag),
            ResponseWriter = HealthAnswers.Writer(tags => tags.Contains(BusTag)),
        }).OnManagementPort();
        return app;
    }

    /// <summary>True the first time a host's composition asks about <paramref name="what"/> (builder side).</summary>
    public static bool FirstTime(this IHostApplicationBuilder builder, string what) => builder.Properties.TryAdd($"notifiche:{what}", true);

    /// <summary>True the first time a host's composition asks about <paramref name="what"/> (application side).</summary>
    public static bool FirstTime(this WebApplication app, string what) =>
        ((IApplicationBuilder)app).Properties.TryAdd($"notifiche:{what}", true);
}
