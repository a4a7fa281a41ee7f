using MassTransit;
using Notifiche.Preferences.Routing;

namespace Notifiche.Preferences;

public static class PreferencesExtensions
{
    public static IHostApplicationBuilder AddPreferences(this IHostApplicationBuilder builder)
    {
        // Routing has no state of its own yet; citizen profiles will be stored here.
        return builder;
    }

    public static void AddPreferencesConsumers(this IBusRegistrationConfigurator bus) => bus.AddConsumer<NoticeSubmittedConsumer>();
}
