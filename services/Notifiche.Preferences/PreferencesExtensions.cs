using MassTransit;
using Notifiche.Messaging;
using Notifiche.Persistence;
using Notifiche.Preferences.Data;
using Notifiche.Preferences.Profiles;
using Notifiche.Preferences.Routing;
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
        return builder;
    }

    public static void AddPreferencesConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<NoticeSubmittedConsumer>();
        bus.AddConsumer<PushTokenRejectedConsumer>();
    }

    /// <summary>Health, metrics, the API middleware and the profiles API.</summary>
    public static WebApplication MapPreferences(this WebApplication app)
    {
        app.MapDefaultEndpoints();
        app.UseApiDefaults();
        app.MapProfiles();
        return app;
    }
}
