using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Notifiche.Persistence;
using Notifiche.ServiceDefaults;

namespace Notifiche.Dispatch.Ledger;

public static class DispatchLedgerRegistration
{
    /// <summary>
    /// The dispatcher's ledger on its own database (<c>ConnectionStrings:DispatchLedger</c>, provider
    /// <c>DispatchLedger:Database:Provider</c>), its schema brought up to date when the host starts — before the bus, as
    /// long as this is added before <c>AddNotificheBus</c> (see <c>AddNotificheDatabase</c>). Called by each dispatcher; once per process is what counts, so
    /// the Standalone host's three dispatchers share one ledger (the channel is part of every key).
    /// </summary>
    public static IHostApplicationBuilder AddDispatchLedger(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(s => s.ServiceType == typeof(DispatchLedger)))
        {
            return builder;
        }

        builder.AddNotificheDatabase<DispatchLedgerDbContext>(DispatchLedgerOptions.Database);
        builder.Services.AddOptions<DispatchLedgerOptions>().BindConfiguration(DispatchLedgerOptions.Section).ValidateDataAnnotations()
            .ValidateSecrets(o => [Secrets.Problem(DispatchLedgerOptions.AddressKeySetting, o.AddressKey)]);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DispatchOwner>();
        builder.Services.AddSingleton<LedgerWriter>();
        builder.Services.AddScoped<DispatchLedger>();
        return builder;
    }
}
