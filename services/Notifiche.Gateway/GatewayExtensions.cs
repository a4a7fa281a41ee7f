using MassTransit;
using Microsoft.AspNetCore.Authentication;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Observability;
using Notifiche.Gateway.Outbox;
using Notifiche.Gateway.Registry;
using Notifiche.Gateway.Status;
using Notifiche.Persistence;
using Notifiche.ServiceDefaults;

namespace Notifiche.Gateway;

public static class GatewayExtensions
{
    /// <summary>The gateway's services: store, registry, key authentication, outbox relay. Consumers come from <see cref="AddGatewayConsumers"/>.</summary>
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.AddNotificheDatabase<GatewayDbContext>("Gateway");

        builder.Services.AddScoped<ServiceRegistry>();
        builder.Services.AddScoped<NoticeStore>();
        builder.Services.AddScoped<NoticeStatusUpdater>();
        builder.Services.AddScoped<SubmissionPolicy>();
        builder.Services.AddScoped<RateLimiter>();
        builder.Services.AddScoped<Census.CensusReport>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddHealthChecks().AddCheck<OutboxHealthCheck>("outbox", tags: [ServiceDefaultsExtensions.ReadyTag]);
        builder.Services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddHostedService<IdempotencyKeyPurge>();

        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ServiceKeyHandler>(KeySchemes.Service, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(KeySchemes.Service, p => p.AddAuthenticationSchemes(KeySchemes.Service).RequireClaim(KeySchemes.ServiceIdClaim));
        builder.Services.AddStaticKey(KeySchemes.Operator, KeySchemes.OperatorHeader, KeySchemes.OperatorKeySetting,
            "The admin API needs the platform operator's key.");

        builder.Services.Configure<ProblemDetailsOptions>(o => o.CustomizeProblemDetails = ctx =>
        {
            if (ctx.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                ctx.ProblemDetails.Detail = "Send the request as JSON with 'Content-Type: application/json'.";
            }
        });
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
        app.MapOpenApi();
        app.MapNotices();
        app.MapAdmin();
        return app;
    }
}
