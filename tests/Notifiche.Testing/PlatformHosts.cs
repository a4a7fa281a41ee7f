using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Notifiche.Testing;

/// <summary>
/// The gateway, preferences and the four dispatchers as real ASP.NET Core hosts (Kestrel on loopback, RabbitMQ transport,
/// PostgreSQL, SMTP), composed exactly as each service's Program.cs composes them (<see cref="ServiceHosts"/>), on a
/// fixture's own vhost and database, configured by <see cref="TestSettings"/> with fast retries.
/// </summary>
public sealed class PlatformHosts : IAsyncDisposable
{
    public static readonly string OperatorKey = TestSettings.OperatorKey;
    public static readonly string AppBackendKey = TestSettings.AppBackendKey;

    private readonly List<WebApplication> _hosts = [];
    private readonly Dictionary<string, Func<Action<IServiceCollection>?, Task<WebApplication>>> _starts = [];

    private PlatformHosts(RabbitMqTestVhost vhost, PostgresTestDatabase database, PostgresTestDatabase preferencesDatabase, SmtpTestServer smtp,
        TwilioStub twilio, FcmStub fcm, TelegramStub telegram)
    {
        Telegram = telegram;
        Vhost = vhost;
        Database = database;
        PreferencesDatabase = preferencesDatabase;
        Smtp = smtp;
        Twilio = twilio;
        Fcm = fcm;
        _settings = new TestSettings(TestBroker.FromEnvironment(vhost.Name)) { FastRetries = true };
    }

    private readonly TestSettings _settings;
    private readonly Dictionary<string, TestSettings> _serviceSettings = [];

    /// <summary>The password of every service broker user of this platform (they exist in its vhost only).</summary>
    public string BrokerUserPassword { get; } = TestSettings.NewSecret();

    private async Task UseServiceBrokerUsersAsync()
    {
        foreach (var (service, user) in Notifiche.Messaging.BrokerUsers.ByService)
        {
            // Users are per node, not per vhost: a prefix keeps this platform's apart from another fixture's.
            var name = $"{Vhost.Name}.{user.Name}";
            await Vhost.CreateUserAsync(name, BrokerUserPassword, (user.Permission, user.Permission, user.Permission), string.Join(',', user.Tags));
            _serviceSettings[service] = _settings with { Broker = _settings.Broker with { User = name, Password = BrokerUserPassword } };
        }
    }

    /// <summary>The broker user name a service of this platform connects as (see <see cref="StartAsync"/>).</summary>
    public string BrokerUserOf(string service) => _serviceSettings[service].Broker.User;

    private TestSettings SettingsOf(string service) => _serviceSettings.GetValueOrDefault(service) ?? _settings;

    public RabbitMqTestVhost Vhost { get; }
    /// <summary>The gateway's database.</summary>
    public PostgresTestDatabase Database { get; }
    public PostgresTestDatabase PreferencesDatabase { get; }
    public SmtpTestServer Smtp { get; }
    /// <summary>The SMS provider (Twilio's Messages API), as the SMS dispatcher calls it.</summary>
    public TwilioStub Twilio { get; }
    /// <summary>Firebase Cloud Messaging HTTP v1 and its OAuth token endpoint, as the push dispatcher calls them.</summary>
    public FcmStub Fcm { get; }
    /// <summary>Telegram: the Bot API the Telegram dispatcher calls, and the side that posts updates to the bot's webhook.</summary>
    public TelegramStub Telegram { get; }
    /// <summary>The preferences service's Telegram webhook, where <see cref="Telegram"/> posts updates.</summary>
    public Uri TelegramWebhook { get; private set; } = null!;
    /// <summary>The dispatchers' ledgers, a database each, as in production.</summary>
    public PostgresTestDatabase EmailDispatchDatabase { get; private set; } = null!;
    public PostgresTestDatabase SmsDispatchDatabase { get; private set; } = null!;
    public PostgresTestDatabase PushDispatchDatabase { get; private set; } = null!;
    public PostgresTestDatabase TelegramDispatchDatabase { get; private set; } = null!;
    public HttpClient Gateway { get; private set; } = null!;
    /// <summary>
    /// The gateway's management port (issue 16, point 8), without a key: the admin API (<see cref="OperatorAsync{T}"/>
    /// adds the operator key), <c>/metrics</c> and <c>/health/*</c>, which the public port answers 404.
    /// </summary>
    public HttpClient Management { get; private set; } = null!;
    /// <summary>The gateway's inbox API, as the citizen app backend calls it (with its key).</summary>
    public HttpClient Inbox { get; private set; } = null!;
    /// <summary>The gateway host's services, for specs that drive a background job by hand (content retention).</summary>
    public IServiceProvider GatewayServices { get; private set; } = null!;
    /// <summary>The profiles API, as the citizen app backend calls it (with its key).</summary>
    public HttpClient Preferences { get; private set; } = null!;

    /// <summary>
    /// The whole platform on a vhost and databases of its own. <paramref name="serviceBrokerUsers"/>: each service connects
    /// as its own broker user with the permissions <c>Notifiche.Messaging.BrokerUsers</c> gives it (as deployed), instead
    /// of the test broker's administrator.
    /// </summary>
    public static async Task<PlatformHosts> StartAsync(string name, bool serviceBrokerUsers = false)
    {
        var platform = new PlatformHosts(await RabbitMqTestVhost.CreateAsync(name), await PostgresTestDatabase.CreateAsync(name),
            await PostgresTestDatabase.CreateAsync($"{name}_prefs"), await SmtpTestServer.StartNewAsync(), await TwilioStub.StartAsync(),
            await FcmStub.StartAsync(), await TelegramStub.StartAsync());
        try
        {
            if (serviceBrokerUsers)
            {
                await platform.UseServiceBrokerUsersAsync();
            }

            await platform.StartHostsAsync();
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }

        return platform;
    }

    /// <summary>
    /// Waits until every host answers ready and its bus is connected (after a spec broke and restored the broker or a
    /// database): readiness alone no longer waits for the broker (issue 19), <c>/health/bus</c> does.
    /// </summary>
    public async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient();
        foreach (var host in _hosts)
        {
            foreach (var path in new[] { "/health/ready", "/health/bus" })
            {
                var uri = new Uri(ServiceHosts.ManagementAddress(host), path);
                await Eventually.Until(async () => (await http.GetAsync(uri)).IsSuccessStatusCode, ok => ok, TimeSpan.FromSeconds(90),
                    $"{host.Environment.ApplicationName} {path}");
            }
        }
    }

    /// <summary>The services of a running host (its bus, its database), by application name (<c>Notifiche.Dispatch.Sms</c>).</summary>
    public IServiceProvider Services(string service) => _hosts.Single(h => h.Environment.ApplicationName == service).Services;

    /// <summary>Stops a service's host as SIGTERM does (graceful shutdown), leaving its queues and database as they are.</summary>
    public async Task StopServiceAsync(string service)
    {
        var host = _hosts.Single(h => h.Environment.ApplicationName == service);
        _hosts.Remove(host);
        await host.StopAsync();
        await host.DisposeAsync();
    }

    /// <summary>
    /// Starts a stopped service again, composed exactly as before, on the same vhost and database (the gateway on the same
    /// address: <see cref="Gateway"/>, <see cref="Inbox"/> and <see cref="Preferences"/> keep working, <see cref="GatewayServices"/> is the new host's).
    /// <paramref name="services"/> replaces registrations in the new host (e.g. a fake <see cref="TimeProvider"/>); the
    /// spec that passes it starts the service again without it when it is done.
    /// </summary>
    public async Task StartServiceAsync(string service, Action<IServiceCollection>? services = null)
    {
        // MassTransit creates a bus with the ambient log context (an AsyncLocal) when there is one: here, the stopped host's.
        MassTransit.LogContext.Current = null;
        var host = await _starts[service](services);
        if (service == ServiceHosts.Gateway)
        {
            GatewayServices = host.Services;
        }
    }

    /// <summary>Registers a service through the admin API, takes it live (out of sandbox) and returns a client that sends its API key.</summary>
    public async Task<HttpClient> RegisterServiceAsync(string id, params string[] allowedChannels)
    {
        var apiKey = await ServiceOnboarding.RegisterLiveAsync(Management, OperatorKey, id, "Anagrafe",
            allowedChannels.Length == 0 ? ["email"] : allowedChannels);
        var client = new HttpClient { BaseAddress = Gateway.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>A call of the operator API that must succeed.</summary>
    public async Task<T> OperatorAsync<T>(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Operator-Key", OperatorKey);
        using var response = await Management.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    /// <summary>
    /// Another gateway instance on the same database and vhost, configured and composed as the first one (as a scaled-out
    /// deployment runs it), and a client for it.
    /// </summary>
    public async Task<HttpClient> StartGatewayReplicaAsync()
    {
        var replica = await StartHostAsync(ServiceHosts.Gateway, SettingsOf(ServiceHosts.Gateway).Gateway(Database.ConnectionString));
        return new HttpClient { BaseAddress = ServiceHosts.PublicAddress(replica) };
    }

    private async Task StartHostsAsync()
    {
        // A fixed port, so that a restarted gateway (StartServiceAsync) answers where the clients already point.
        var gateway = await StartHostAsync(ServiceHosts.Gateway, new Dictionary<string, string?>(SettingsOf(ServiceHosts.Gateway).Gateway(Database.ConnectionString))
        {
            ["Urls"] = $"http://127.0.0.1:{FreePort.Next()}",
            [Notifiche.ServiceDefaults.ManagementPort.PortKey] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Gateway = new HttpClient { BaseAddress = ServiceHosts.PublicAddress(gateway) };
        Management = new HttpClient { BaseAddress = ServiceHosts.ManagementAddress(gateway) };
        Inbox = new HttpClient { BaseAddress = Gateway.BaseAddress };
        Inbox.DefaultRequestHeaders.Add("X-Api-Key", AppBackendKey);
        GatewayServices = gateway.Services;

        // A fixed port too: a restarted preferences (StartServiceAsync) answers where Preferences and the webhook point.
        var preferences = await StartHostAsync(ServiceHosts.Preferences,
            new Dictionary<string, string?>(SettingsOf(ServiceHosts.Preferences).Preferences(PreferencesDatabase.ConnectionString))
            {
                ["Urls"] = $"http://127.0.0.1:{FreePort.Next()}",
                [Notifiche.ServiceDefaults.ManagementPort.PortKey] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        Preferences = new HttpClient { BaseAddress = ServiceHosts.PublicAddress(preferences) };
        Preferences.DefaultRequestHeaders.Add("X-Api-Key", AppBackendKey);
        TelegramWebhook = new Uri(Preferences.BaseAddress!, "/api/v1/telegram/webhook");

        EmailDispatchDatabase = await PostgresTestDatabase.CreateAsync("dispatch_email");
        SmsDispatchDatabase = await PostgresTestDatabase.CreateAsync("dispatch_sms");
        PushDispatchDatabase = await PostgresTestDatabase.CreateAsync("dispatch_push");
        await StartHostAsync(ServiceHosts.EmailDispatch, SettingsOf(ServiceHosts.EmailDispatch).Dispatcher(EmailDispatchDatabase.ConnectionString, Smtp.DispatcherSettings(poolSize: 2)));
        await StartHostAsync(ServiceHosts.SmsDispatch, SettingsOf(ServiceHosts.SmsDispatch).Dispatcher(SmsDispatchDatabase.ConnectionString, new Dictionary<string, string?>(Twilio.DispatcherSettings())
        {
            // Graceful shutdown gives up on a slow provider after this (the graceful-shutdown specs wait for it).
            ["Messaging:ShutdownTimeout"] = "00:00:05",
        }));
        await StartHostAsync(ServiceHosts.PushDispatch, SettingsOf(ServiceHosts.PushDispatch).Dispatcher(PushDispatchDatabase.ConnectionString, Fcm.DispatcherSettings()));
        TelegramDispatchDatabase = await PostgresTestDatabase.CreateAsync("dispatch_telegram");
        await StartHostAsync(ServiceHosts.TelegramDispatch, SettingsOf(ServiceHosts.TelegramDispatch).Dispatcher(TelegramDispatchDatabase.ConnectionString, Telegram.DispatcherSettings()));
    }

    private Task<WebApplication> StartHostAsync(string service, Dictionary<string, string?> settings)
    {
        // The first host of a service is the one StartServiceAsync starts again (a gateway replica does not replace it).
        Func<Action<IServiceCollection>?, Task<WebApplication>> start = async services =>
        {
            // Every line at Debug and above is captured under the services' own category filters (the privacy specs read
            // them); warnings and errors also go to the test output.
            var app = await ServiceHosts.StartAsync(service, settings, logging =>
            {
                logging.SetMinimumLevel(LogLevel.Debug);
                logging.AddProvider(LogCapture.Instance);
            }, services: services);
            _hosts.Add(app);
            return app;
        };
        _starts.TryAdd(service, start);
        return start(null);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }

        Gateway?.Dispose();
        Management?.Dispose();
        Inbox?.Dispose();
        Preferences?.Dispose();
        await Smtp.DisposeAsync();
        await Twilio.DisposeAsync();
        await Fcm.DisposeAsync();
        await Telegram.DisposeAsync();
        await Vhost.DisposeAsync();
        await Database.DisposeAsync();
        await PreferencesDatabase.DisposeAsync();
        foreach (var ledger in new[] { EmailDispatchDatabase, SmsDispatchDatabase, PushDispatchDatabase, TelegramDispatchDatabase }.Where(d => d is not null))
        {
            await ledger.DisposeAsync();
        }
    }
}
