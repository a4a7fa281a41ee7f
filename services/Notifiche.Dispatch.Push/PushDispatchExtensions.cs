using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Push.Composition;
using Notifiche.Dispatch.Push.Integrations.Firebase;
using Notifiche.Dispatch.Push.Integrations.Sandbox;
using Notifiche.Dispatch.Push.Sending;
using Polly;
using Refit;

namespace Notifiche.Dispatch.Push;

public static class PushDispatchExtensions
{
    public static IHostApplicationBuilder AddPushDispatch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PushOptions>().BindConfiguration(PushOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<PushComposer>();
        builder.Services.AddSingleton<PushAttemptLedger>();
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
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented way to replace the defaults.
        fcm.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        // Handlers added after the resilience handler run inside it: every attempt carries a current bearer token.
        fcm.AddResilienceHandler("fcm", (pipeline, context) =>
        {
            var s = context.ServiceProvider.GetRequiredService<IOptions<PushOptions>>().Value.Resilience;
            pipeline.AddTimeout(s.TotalTimeout);
            if (s.MaxRetryAttempts > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = s.MaxRetryAttempts, BackoffType = DelayBackoffType.Exponential, UseJitter = true,
                    Delay = s.RetryDelay, MaxDelay = s.MaxRetryDelay, ShouldRetryAfterHeader = true,
                });
            }

            pipeline
                .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = s.CircuitFailureRatio, MinimumThroughput = s.CircuitMinimumThroughput,
                    SamplingDuration = s.CircuitSamplingDuration, BreakDuration = s.CircuitBreakDuration,
                })
                .AddTimeout(s.AttemptTimeout);
        });
        fcm.AddHttpMessageHandler<FcmAuthenticationHandler>();
        return builder;
    }

    public static void AddPushDispatchConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<SendPushConsumer, SendPushConsumerDefinition>();
}
