using System.Net.Http.Headers;
using System.Text;
using MassTransit;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Sms.Composition;
using Notifiche.Dispatch.Sms.Integrations.Sandbox;
using Notifiche.Dispatch.Sms.Integrations.Twilio;
using Notifiche.Dispatch.Sms.Sending;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;
using Refit;

namespace Notifiche.Dispatch.Sms;

public static class SmsDispatchExtensions
{
    /// <summary>
    /// Everything the sms dispatcher needs: service defaults, its ledger (migrated at start), its sender and its
    /// consumer on the host's bus. The host then calls <c>AddNotificheBus()</c> once and <see cref="MapSmsDispatch"/>.
    /// </summary>
    public static IHostApplicationBuilder AddSmsDispatch(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddBusConsumers(bus => bus.AddSmsDispatchConsumers());
        builder.Services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section).ValidateDataAnnotations()
            // Checked at start, not after the first SMS's 25 minutes of retries against a 401.
            .ValidateSecrets(o => o.Provider == SmsProvider.Twilio
                ? [Secrets.Problem("Sms:Twilio:AccountSid", o.Twilio.AccountSid), Secrets.Problem("Sms:Twilio:AuthToken", o.Twilio.AuthToken)]
                : []);
        builder.AddDispatchLedger();
        builder.Services.AddSingleton<SmsComposer>();
        builder.Services.AddSingleton<SandboxSmsSender>();
        builder.Services.AddSingleton<ISmsSender>(sp =>
            sp.GetRequiredService<IOptions<SmsOptions>>().Value.Provider == SmsProvider.Sandbox
                ? sp.GetRequiredService<SandboxSmsSender>()
                : ActivatorUtilities.CreateInstance<TwilioSmsSender>(sp, sp.GetRequiredService<ITwilioApi>()));

        builder.Services.AddRefitGeneratedClient<ITwilioApi>(TwilioJsonContext.Default)
            .ConfigureHttpClient((sp, http) =>
            {
                var twilio = sp.GetRequiredService<IOptions<SmsOptions>>().Value.Twilio;
                http.BaseAddress = twilio.BaseAddress;
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                    "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{twilio.AccountSid}:{twilio.AuthToken}")));
            })
            .AddProviderResilience("twilio", sp => sp.GetRequiredService<IOptions<SmsOptions>>().Value.Resilience);
        return builder;
    }

    /// <summary>The consumer on <c>send-sms</c>, retried and switched off as <see cref="DeliveryPolicy"/> says.</summary>
    public static void AddSmsDispatchConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddProviderDispatchConsumer<SendSmsConsumer>(CommandQueues.SendSms, sp => sp.GetRequiredService<IOptions<SmsOptions>>().Value.KillSwitch);

    /// <summary>Health and metrics (a dispatcher has no API).</summary>
    public static WebApplication MapSmsDispatch(this WebApplication app) => app.MapDefaultEndpoints();
}
