using MassTransit;
using Microsoft.AspNetCore.Authentication;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Campaigns;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Ingress;
using Notifiche.Gateway.Inbox;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Observability;
using Notifiche.Gateway.OpenApi;
using Notifiche.Gateway.Outbox;
using Notifiche.Gateway.Redrive;
using Notifiche.Gateway.Registry;
using Notifiche.Gateway.Retention;
using Notifiche.Gateway.Status;
using Notifiche.Gateway.Templates;
using Notifiche.Messaging;
using Notifiche.Persistence;
using Notifiche.ServiceDefaults;

namespace Notifiche.Gateway;

public static class GatewayExtensions
{
    /// <summary>
    /// Everything the gateway needs: service defaults, its database (migrated at start), store, registry, key
    /// authentication, outbox relay, inbox, audit, callbacks and its consumers on the host's bus. The host then calls
    /// <c>AddNotificheBus()</c> once and <see cref="MapGateway"/>.
    /// </summary>
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddApiDefaults();
        builder.AddNotificheDatabase<GatewayDbContext>("Gateway");
        builder.AddBusConsumers(bus => bus.AddGatewayConsumers());

        builder.Services.AddScoped<ServiceRegistry>();
        builder.Services.AddSingleton<ServiceKeyCache>();
        builder.Services.AddOptions<KeyCacheOptions>().BindConfiguration(KeyCacheOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<NoticeStore>();
        builder.Services.AddScoped<NoticeResolution>();
        builder.Services.AddScoped<EscalationStepRunner>();
        builder.Services.AddSingleton<SubmissionWriter>();
        builder.Services.AddScoped<NoticeStatusUpdater>();
        builder.Services.AddSingleton<StatusWriter>();
        builder.Services.AddSingleton<TestNoticeSimulator>();
        builder.Services.AddScoped<BrokerIngress>();
        builder.Services.AddSingleton<ServiceExchanges>();
        builder.Services.AddGatewayOpenApi();
        builder.Services.AddScoped<SubmissionPolicy>();
        builder.Services.AddOptions<SmsBudgetOptions>().BindConfiguration(SmsBudgetOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<RateLimiter>();
        builder.Services.AddScoped<Census.CensusReport>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddHealthChecks().AddCheck<OutboxHealthCheck>("outbox", tags: [ServiceDefaultsExtensions.DescribedTag]);
        builder.Services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddHostedService<IdempotencyKeyPurge>();
        builder.Services.AddScoped<NoticeRedrive>();
        builder.Services.AddOptions<RedriveOptions>().BindConfiguration(RedriveOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RedriveService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RedriveService>());
        // A channel's outcome waits for its notice's routing decision (StatusOrder) unless configuration says otherwise.
        builder.Services.PostConfigure<MessagingOptions>(o =>
        {
            foreach (var queue in EventQueues.ChannelOutcomes)
            {
                o.EndpointRetry.TryAdd(queue, StatusOrder.ChannelOutcomeRetry);
            }
        });
        builder.AddTrustedProxies();
        builder.AddInbox();
        builder.AddCallbacks();
        builder.AddRetention();
        builder.AddCampaigns();

        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ServiceKeyHandler>(KeySchemes.Service, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(KeySchemes.Service, p => p.AddAuthenticationSchemes(KeySchemes.Service).RequireClaim(KeySchemes.ServiceIdClaim));
        builder.Services.AddStaticKey(KeySchemes.Operator, KeySchemes.OperatorHeader, KeySchemes.OperatorKeySetting,
            "The admin API needs the platform operator's key.");

        builder.Services.Configure<ProblemDetailsOptions>(o => o.CustomizeProblemDetails = ctx =>
        {
            if (ctx.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                ctx.ProblemDetails.Detail = ctx.HttpContext.Request.Path.StartsWithSegments(CampaignEndpoints.Path)
                    ? CampaignEndpoints.UnsupportedMediaType
                    : "Send the request as JSON with 'Content-Type: application/json'.";
            }
        });
        return builder;
    }

    /// <summary>Status tracking (the events that move a stored notice's status) and the broker ingress.</summary>
    public static void AddGatewayConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<NoticeRoutedConsumer>();
        bus.AddConsumer<NotificationSentConsumer>();
        bus.AddConsumer<NotificationFailedConsumer>();
        bus.AddConsumer<NotificationExpiredConsumer>();
        bus.AddConsumer<SendEmailFaultConsumer>();
        bus.AddConsumer<SendSmsFaultConsumer>();
        bus.AddConsumer<SendPushFaultConsumer>();
        bus.AddConsumer<SendTelegramFaultConsumer>();
        bus.AddConsumer<SubmitNoticeConsumer, SubmitNoticeConsumerDefinition>();
        bus.AddConsumer<DispatchAttemptFailedConsumer>();
        bus.AddConsumer<StatusCallbackConsumer, StatusCallbackConsumerDefinition>();
    }

    /// <summary>Health, metrics, the API middleware and every gateway endpoint.</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        // First: the client's address as the trusted proxies (Gateway:TrustedProxies, none by default) report it.
        app.UseForwardedHeaders();
        app.MapDefaultEndpoints();
        app.UseApiDefaults();
        app.MapNotices();
        app.MapTemplates();
        app.MapCampaigns();
        app.MapNoticeEvents();
        app.MapCallbacks();
        app.MapInbox();
        app.MapAdmin();
        return app;
    }
}
