using MassTransit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Ingress;
using Notifiche.Gateway.Inbox;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Observability;
using Notifiche.Gateway.Outbox;
using Notifiche.Gateway.Redrive;
using Notifiche.Gateway.Registry;
using Notifiche.Gateway.Retention;
using Notifiche.Gateway.Status;
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
        builder.Services.AddScoped<NoticeStore>();
        builder.Services.AddScoped<NoticeStatusUpdater>();
        builder.Services.AddScoped<BrokerIngress>();
        builder.Services.AddScoped<SubmissionPolicy>();
        builder.Services.AddScoped<RateLimiter>();
        builder.Services.AddScoped<Census.CensusReport>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddHealthChecks().AddCheck<OutboxHealthCheck>("outbox", tags: [ServiceDefaultsExtensions.ReadyTag]);
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
        builder.AddInboxAndAudit();

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
        bus.AddConsumer<SubmitNoticeConsumer, SubmitNoticeConsumerDefinition>();
        bus.AddConsumer<DispatchAttemptFailedConsumer>();
        bus.AddConsumer<StatusCallbackConsumer, StatusCallbackConsumerDefinition>();
    }

    /// <summary>Issue 9: the citizen's inbox, the audit trail, status callbacks and content retention.</summary>
    private static void AddInboxAndAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStaticKey(InboxEndpoints.Scheme, ApiKeys.Header, InboxEndpoints.AppBackendKeySetting,
            "The inbox API is for the citizen app backend, with its own key.");
        builder.Services.AddOptions<CallbackOptions>().BindConfiguration(CallbackOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // The callback endpoint retries for a bounded time unless configuration says otherwise.
        builder.Services.PostConfigure<MessagingOptions>(o => o.EndpointRetry.TryAdd(StatusCallbackConsumer.Queue, CallbackOptions.DefaultRetry));
        var callbacks = builder.Services.AddHttpClient<StatusCallbackSender>()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .ConfigureHttpClient((services, http) => http.Timeout = services.GetRequiredService<IOptions<CallbackOptions>>().Value.Timeout);
        // No retry or circuit breaker here: the endpoint's retry backs off per message, and one service's receiver
        // being down must not open a circuit shared with every other service's callbacks.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented way to replace the defaults.
        callbacks.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ContentRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ContentRetention>());
    }

    /// <summary>Health, metrics, the API middleware and every gateway endpoint.</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        app.MapDefaultEndpoints();
        app.UseApiDefaults();
        app.MapNotices();
        app.MapNoticeEvents();
        app.MapCallbacks();
        app.MapInbox();
        app.MapAdmin();
        return app;
    }
}
