using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Notifiche.Client;

/// <summary>Registers the clients with <c>IHttpClientFactory</c>, the key header and the retry handler (<see cref="NotificheRetry"/>).</summary>
public static class NotificheClientRegistration
{
    /// <summary>
    /// <see cref="NotificheClient"/> as a typed client. Options from <paramref name="configure"/>, or bind them yourself
    /// (<c>services.AddOptions&lt;NotificheClientOptions&gt;().BindConfiguration("Notifiche")</c>) and pass null.
    /// </summary>
    public static IHttpClientBuilder AddNotificheClient(this IServiceCollection services, Action<NotificheClientOptions>? configure = null)
    {
        Register(services, configure);
        return WithRetry<NotificheClientOptions>(services.AddHttpClient<NotificheClient>((sp, http) =>
            Configure(http, sp.GetRequiredService<IOptions<NotificheClientOptions>>().Value)));
    }

    /// <summary><see cref="NotificheAppBackendClient"/> as a typed client (see <see cref="AddNotificheClient"/>).</summary>
    public static IHttpClientBuilder AddNotificheAppBackendClient(this IServiceCollection services, Action<NotificheAppBackendClientOptions>? configure = null)
    {
        Register(services, configure);
        return WithRetry<NotificheAppBackendClientOptions>(services.AddHttpClient<NotificheAppBackendClient>((sp, http) =>
                Configure(http, sp.GetRequiredService<IOptions<NotificheAppBackendClientOptions>>().Value))
            .AddTypedClient((http, sp) =>
                new NotificheAppBackendClient(http, sp.GetRequiredService<IOptions<NotificheAppBackendClientOptions>>().Value.ProfilesAddress)));
    }

    internal static HttpClient CreateHttpClient(NotificheConnectionOptions options, HttpMessageHandler? transport)
    {
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        var http = new HttpClient(NotificheRetry.Handler(options.Retry, transport ?? new SocketsHttpHandler
        {
            // A long-lived client still sees DNS changes (HttpClient guidance for clients made without the factory).
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        }));
        Configure(http, options);
        return http;
    }

    /// <summary>The address with a trailing slash, so that relative paths (<c>api/v1/…</c>) keep a path prefix (<c>https://host/notifiche/</c>).</summary>
    internal static Uri AsBase(Uri address) =>
        address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");

    private static void Configure(HttpClient http, NotificheConnectionOptions options)
    {
        http.BaseAddress = AsBase(options.BaseAddress!);
        http.DefaultRequestHeaders.Add(ApiCalls.ApiKeyHeader, options.ApiKey);
    }

    private static void Register<TOptions>(IServiceCollection services, Action<TOptions>? configure)
        where TOptions : NotificheConnectionOptions
    {
        var options = services.AddOptions<TOptions>()
            .Validate(o => o.BaseAddress is not null && !string.IsNullOrEmpty(o.ApiKey), $"{typeof(TOptions).Name}: BaseAddress and ApiKey are required")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
    }

    private static IHttpClientBuilder WithRetry<TOptions>(IHttpClientBuilder client)
        where TOptions : NotificheConnectionOptions
    {
        client.AddResilienceHandler("notifiche-retry", (pipeline, context) =>
            NotificheRetry.AddTo(pipeline, context.ServiceProvider.GetRequiredService<IOptions<TOptions>>().Value.Retry));
        return client;
    }
}
