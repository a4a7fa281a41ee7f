using MassTransit;
using Notifiche.Messaging;
using Notifiche.Persistence;
using Notifiche.Preferences.Data;
using Notifiche.Preferences.Profiles;
using Notifiche.Preferences.Deferral;
using Notifiche.Preferences.Holding;
using Notifiche.Preferences.Observability;
using Notifiche.Preferences.Routing;
using Notifiche.Preferences.Telegram;
using Notifiche.ServiceDefaults;

namespace Notifiche.Preferences;

public static class PreferencesExtensions
{
    public const string AppBackendKeySetting = "Preferences:AppBackendKey";

    /// <summary>
    /// Everything the preferences service needs: service defaults, its database (migrated at start), the profiles API's
    /// key and its consumers on the host's bus. The host then calls <c>AddNotificheBus()</c> once and <see cref="MapPreferences"/>.
    /// </summary>
    public static IHostApplicationBuilder AddPreferences(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddApiDefaults();
        builder.AddNotificheDatabase<PreferencesDbContext>("Preferences");
        builder.Services.AddSingleton<ProfileReader>();
        builder.AddBusConsumers(bus => bus.AddPreferencesConsumers());
        builder.Services.AddStaticKey(ProfileEndpoints.Scheme, "X-Api-Key", AppBackendKeySetting,
            "The profiles API is for the citizen app backend, with its own key.");
        builder.Services.AddOptions<TelegramLinkOptions>().BindConfiguration(TelegramLinkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Telegram's webhook proves itself with the secret_token given to setWebhook (compared in constant time).
        builder.Services.AddStaticKey(TelegramEndpoints.WebhookScheme, TelegramEndpoints.SecretHeader, $"{TelegramLinkOptions.Section}:WebhookSecret",
            "The Telegram webhook is for Telegram, with the secret token given to setWebhook.", optional: true);
        builder.Services.AddScoped<TelegramLinks>();
        builder.Services.AddOptions<QuietHoursOptions>().BindConfiguration(QuietHoursOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<DeferredDispatchRelay>();
        builder.Services.AddOptions<HeldNoticesOptions>().BindConfiguration(HeldNoticesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<HeldNoticeRelay>();
        builder.Services.AddSingleton<DeferredDispatchMetrics>();
        builder.Services.AddSingleton<HeldNoticeMetrics>();
        builder.Services.AddHealthChecks().AddCheck<DeferredDispatchHealthCheck>("deferred-dispatches", tags: [ServiceDefaultsExtensions.DescribedTag]);
        return builder;
    }

    public static void AddPreferencesConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<NoticeSubmittedConsumer>();
        bus.AddConsumer<PushTokenRejectedConsumer>();
        bus.AddConsumer<TelegramChatRejectedConsumer>();
    }

    /// <summary>Health, metrics, the API middleware and the profiles API.</summary>
    public static WebApplication MapPreferences(this WebApplication app)
    {
        app.MapDefaultEndpoints();
        app.UseApiDefaults();
        app.MapProfiles();
        app.MapTelegram();
        return app;
    }
}
