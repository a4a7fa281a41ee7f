using MassTransit;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Telegram.Composition;
using Notifiche.Dispatch.Telegram.Integrations.BotApi;
using Notifiche.Dispatch.Telegram.Integrations.Sandbox;
using Notifiche.Dispatch.Telegram.Sending;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;
using OpenTelemetry.Instrumentation.Http;
using Refit;

namespace Notifiche.Dispatch.Telegram;

public static class TelegramDispatchExtensions
{
    /// <summary>
    /// Everything the Telegram dispatcher needs: service defaults, its ledger (migrated at start), its sender and its
    /// consumer on the host's bus. The host then calls <c>AddNotificheBus()</c> once and <see cref="MapTelegramDispatch"/>.
    /// </summary>
    public static IHostApplicationBuilder AddTelegramDispatch(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddBusConsumers(bus => bus.AddTelegramDispatchConsumers());
        builder.Services.AddOptions<TelegramOptions>().BindConfiguration(TelegramOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.AddDispatchLedger();
        builder.Services.AddSingleton<TelegramComposer>();
        builder.Services.AddSingleton<SandboxTelegramSender>();
        builder.Services.AddSingleton<ITelegramSender>(sp =>
            sp.GetRequiredService<IOptions<TelegramOptions>>().Value.Provider == TelegramProvider.Sandbox
                ? sp.GetRequiredService<SandboxTelegramSender>()
                : ActivatorUtilities.CreateInstance<BotApiTelegramSender>(sp, sp.GetRequiredService<ITelegramBotApi>()));

        builder.Services.AddTransient<RetryAfterHandler>();
        builder.Services.AddTransient<BotTokenHandler>();
        var bot = builder.Services.AddRefitGeneratedClient<ITelegramBotApi>(TelegramJsonContext.Default)
            .ConfigureHttpClient((sp, http) =>
            {
                http.BaseAddress = sp.GetRequiredService<IOptions<TelegramOptions>>().Value.BotApi.BaseAddress;
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            // Every request's URL carries the bot token: no request/response log lines for this client.
            .RemoveAllLoggers();
        // Handlers added after the resilience handler run inside it: every attempt's 429 gets its Retry-After, and the
        // token joins the URL only in the innermost handler.
        bot.AddProviderResilience("telegram", sp => sp.GetRequiredService<IOptions<TelegramOptions>>().Value.Resilience);
        bot.AddHttpMessageHandler<RetryAfterHandler>();
        bot.AddHttpMessageHandler<BotTokenHandler>();

        // Nor in traces: the HTTP client span's url.full is written without the token.
        builder.Services.Configure<HttpClientTraceInstrumentationOptions>(o =>
        {
            var enrich = o.EnrichWithHttpRequestMessage;
            o.EnrichWithHttpRequestMessage = (activity, request) =>
            {
                enrich?.Invoke(activity, request);
                if (BotUrls.Redact(request.RequestUri) is { } redacted)
                {
                    activity.SetTag("url.full", redacted);
                    activity.SetTag("url.path", new Uri(redacted).AbsolutePath);
                }
            };
        });
        return builder;
    }

    /// <summary>The consumer on <c>send-telegram</c>, retried and switched off as <see cref="DeliveryPolicy"/> says.</summary>
    public static void AddTelegramDispatchConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddProviderDispatchConsumer<SendTelegramConsumer>(CommandQueues.SendTelegram,
            sp => sp.GetRequiredService<IOptions<TelegramOptions>>().Value.KillSwitch);

    /// <summary>Health and metrics (a dispatcher has no API).</summary>
    public static WebApplication MapTelegramDispatch(this WebApplication app) => app.MapDefaultEndpoints();
}

/// <summary>Bot API URLs (<c>/bot&lt;token&gt;/method</c>) as they may be written down: without the token.</summary>
public static class BotUrls
{
    public static string? Redact(Uri? uri)
    {
        if (uri is null || !uri.IsAbsoluteUri)
        {
            return null;
        }

        var segments = uri.AbsolutePath.Split('/');
        var token = Array.FindIndex(segments, s => s.StartsWith("bot", StringComparison.Ordinal) && s.Contains(':'));
        if (token < 0)
        {
            return null;
        }

        segments[token] = "bot{token}";
        return $"{uri.Scheme}://{uri.Authority}{string.Join('/', segments)}";
    }
}
