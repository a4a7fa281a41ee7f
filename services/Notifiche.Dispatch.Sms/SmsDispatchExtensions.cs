using System.Net.Http.Headers;
using System.Text;
using MassTransit;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Sms.Composition;
using Notifiche.Dispatch.Sms.Integrations.Sandbox;
using Notifiche.Dispatch.Sms.Integrations.Twilio;
using Notifiche.Dispatch.Sms.Sending;
using Notifiche.Dispatching;
using Notifiche.ServiceDefaults;
using Refit;

namespace Notifiche.Dispatch.Sms;

public static class SmsDispatchExtensions
{
    public static IHostApplicationBuilder AddSmsDispatch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
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

    public static void AddSmsDispatchConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<SendSmsConsumer, SendSmsConsumerDefinition>();
}
