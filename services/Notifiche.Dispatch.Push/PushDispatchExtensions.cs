using MassTransit;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Push.Composition;
using Notifiche.Dispatch.Push.Integrations.Firebase;
using Notifiche.Dispatch.Push.Integrations.Sandbox;
using Notifiche.Dispatch.Push.Sending;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;
using Refit;

namespace Notifiche.Dispatch.Push;

public static class PushDispatchExtensions
{
    /// <summary>
    /// Everything the push dispatcher needs: service defaults, its ledger (migrated at start), its sender and its
    /// consumer on the host's bus. The host then calls <c>AddNotificheBus()</c> once and <see cref="MapPushDispatch"/>.
    /// </summary>
    public static IHostApplicationBuilder AddPushDispatch(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddBusConsumers(bus => bus.AddPushDispatchConsumers());
        builder.Services.AddOptions<PushOptions>().BindConfiguration(PushOptions.Section).ValidateDataAnnotations()
            // Checked at start, not after the first push's 25 minutes of retries.
            .ValidateSecrets(o => o.Provider == PushProvider.Fcm ? FcmAccessToken.Problems(o.Fcm) : []);
        builder.AddDispatchLedger();
        builder.Services.AddSingleton<PushComposer>();
        builder.Services.AddSingleton<SandboxPushSender>();
        builder.Services.AddSingleton<FcmAccessToken>();
        builder.Services.AddTransient<FcmAuthenticationHandler>();
        builder.Services.AddSingleton<IPushSender>(sp =>
            sp.GetRequiredService<IOptions<PushOptions>>().Value.Provider == PushProvider.Sandbox
                ? sp.GetRequiredService<SandboxPushSender>()
                : ActivatorUtilities.CreateInstance<FcmPushSender>(sp, sp.GetRequiredService<IFcmApi>()));

        var fcm = builder.Services.AddRefitGeneratedClient<IFcmApi>(FcmJsonContext.Default)
            .ConfigureHttpClient((sp, http) =>
            {
                http.BaseAddress = sp.GetRequiredService<IOptions<PushOptions>>().Value.Fcm.BaseAddress;
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            });
        // Handlers added after the resilience handler run inside it: every attempt carries a current bearer token.
        fcm.AddProviderResilience("fcm", sp => sp.GetRequiredService<IOptions<PushOptions>>().Value.Resilience);
        fcm.AddHttpMessageHandler<FcmAuthenticationHandler>();
        return builder;
    }

    /// <summary>The consumer on <c>send-push</c>, retried and switched off as <see cref="DeliveryPolicy"/> says.</summary>
    public static void AddPushDispatchConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddProviderDispatchConsumer<SendPushConsumer>(CommandQueues.SendPush, sp => sp.GetRequiredService<IOptions<PushOptions>>().Value.KillSwitch);

    /// <summary>Health and metrics (a dispatcher has no API).</summary>
    public static WebApplication MapPushDispatch(this WebApplication app) => app.MapDefaultEndpoints();
}
