using Microsoft.Extensions.Options;
using Notifiche.Messaging;

namespace Notifiche.Gateway.Callbacks;

internal static class CallbackRegistration
{
    /// <summary>Status callbacks: their options, the endpoint's retry and the HTTP client that POSTs them.</summary>
    internal static IHostApplicationBuilder AddCallbacks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CallbackOptions>().BindConfiguration(CallbackOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.AllowedNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)),
                $"{CallbackOptions.Section}:AllowedNetworks: every entry must be a network in CIDR notation, e.g. 10.20.0.0/16")
            .ValidateOnStart();
        builder.Services.AddSingleton<CallbackAddresses>();
        builder.Services.AddSingleton<CallbackDirectory>();
        builder.Services.AddScoped<StatusAnnouncements>();
        // The callback endpoint retries for a bounded time unless configuration says otherwise.
        builder.Services.PostConfigure<MessagingOptions>(o => o.EndpointRetry.TryAdd(StatusCallbackConsumer.Queue, CallbackOptions.DefaultRetry));
        var callbacks = builder.Services.AddHttpClient<StatusCallbackSender>()
            // No proxy: the address check must see the receiver's address, not a proxy's.
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, UseProxy = false, ConnectCallback = services.GetRequiredService<CallbackAddresses>().ConnectAsync,
            })
            .ConfigureHttpClient((services, http) => http.Timeout = services.GetRequiredService<IOptions<CallbackOptions>>().Value.Timeout);
        // No retry or circuit breaker here: the endpoint's retry backs off per message, and one service's receiver
        // being down must not open a circuit shared with every other service's callbacks.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented way to replace the defaults.
        callbacks.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }
}
