using MassTransit;
using Notifiche.Persistence;
using Notifiche.Preferences.Data;
using Notifiche.Preferences.Profiles;
using Notifiche.Preferences.Routing;
using Notifiche.ServiceDefaults;

namespace Notifiche.Preferences;

public static class PreferencesExtensions
{
    public const string AppBackendKeySetting = "Preferences:AppBackendKey";

    public static IHostApplicationBuilder AddPreferences(this IHostApplicationBuilder builder)
    {
        builder.AddNotificheDatabase<PreferencesDbContext>("Preferences");
        builder.Services.AddStaticKey(ProfileEndpoints.Scheme, "X-Api-Key", AppBackendKeySetting,
            "The profiles API is for the citizen app backend, with its own key.");
        return builder;
    }

    public static void AddPreferencesConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<NoticeSubmittedConsumer>();
        bus.AddConsumer<PushTokenRejectedConsumer>();
    }

    public static WebApplication MapPreferences(this WebApplication app)
    {
        app.MapProfiles();
        return app;
    }
}
