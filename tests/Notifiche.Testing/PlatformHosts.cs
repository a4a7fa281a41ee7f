using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifiche.Dispatch.Email;
using Notifiche.Dispatch.Push;
using Notifiche.Dispatch.Sms;
using Notifiche.Gateway;
using Notifiche.Gateway.Data;
using Notifiche.Persistence;
using Notifiche.Messaging;
using Notifiche.Preferences;
using Notifiche.Preferences.Data;
using Notifiche.ServiceDefaults;

namespace Notifiche.Testing;

/// <summary>
/// The gateway, preferences and the three dispatchers as real ASP.NET Core hosts (Kestrel on loopback, RabbitMQ transport,
/// PostgreSQL, SMTP), composed exactly as each service's Program.cs composes them, on a fixture's own vhost and database.
/// </summary>
public sealed class PlatformHosts : IAsyncDisposable
{
    public const string OperatorKey = "test-operator-key";
    public const string AppBackendKey = "test-app-backend-key";

    private static readonly Lazy<string> EmptyContentRoot = new(() => Directory.CreateTempSubdirectory("notifiche-host-").FullName);

    private readonly List<WebApplication> _hosts = [];
    private readonly Dictionary<string, Func<Task<WebApplication>>> _starts = [];

    private PlatformHosts(RabbitMqTestVhost vhost, PostgresTestDatabase database, PostgresTestDatabase preferencesDatabase, SmtpTestServer smtp,
        TwilioStub twilio, FcmStub fcm)
    {
        Vhost = vhost;
        Database = database;
        PreferencesDatabase = preferencesDatabase;
        Smtp = smtp;
        Twilio = twilio;
        Fcm = fcm;
    }

    public RabbitMqTestVhost Vhost { get; }
    /// <summary>The gateway's database.</summary>
    public PostgresTestDatabase Database { get; }
    public PostgresTestDatabase PreferencesDatabase { get; }
    public SmtpTestServer Smtp { get; }
    /// <summary>The SMS provider (Twilio's Messages API), as the SMS dispatcher calls it.</summary>
    public TwilioStub Twilio { get; }
    /// <summary>Firebase Cloud Messaging HTTP v1 and its OAuth token endpoint, as the push dispatcher calls them.</summary>
    public FcmStub Fcm { get; }
    /// <summary>The dispatchers' ledgers, a database each, as in production.</summary>
    public PostgresTestDatabase EmailDispatchDatabase { get; private set; } = null!;
    public PostgresTestDatabase SmsDispatchDatabase { get; private set; } = null!;
    public PostgresTestDatabase PushDispatchDatabase { get; private set; } = null!;
    public HttpClient Gateway { get; private set; } = null!;
    /// <summary>The gateway's inbox API, as the citizen app backend calls it (with its key).</summary>
    public HttpClient Inbox { get; private set; } = null!;
    /// <summary>The gateway host's services, for specs that drive a background job by hand (content retention).</summary>
    public IServiceProvider GatewayServices { get; private set; } = null!;
    /// <summary>The profiles API, as the citizen app backend calls it (with its key).</summary>
    public HttpClient Preferences { get; private set; } = null!;

    public static async Task<PlatformHosts> StartAsync(string name)
    {
        var platform = new PlatformHosts(await RabbitMqTestVhost.CreateAsync(name), await PostgresTestDatabase.CreateAsync(name),
            await PostgresTestDatabase.CreateAsync($"{name}_prefs"), await SmtpTestServer.StartNewAsync(), await TwilioStub.StartAsync(),
            await FcmStub.StartAsync());
        try
        {
            await platform.StartHostsAsync();
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }

        return platform;
    }

    /// <summary>Waits until every host answers ready (after a spec broke and restored the broker or a database).</summary>
    public async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient();
        foreach (var host in _hosts)
        {
            var ready = new Uri(new Uri(host.Urls.First()), "/health/ready");
            await Eventually.Until(async () => (await http.GetAsync(ready)).IsSuccessStatusCode, ok => ok, TimeSpan.FromSeconds(90),
                $"{host.Environment.ApplicationName} ready");
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

    /// <summary>Starts a stopped service again, composed exactly as before, on the same vhost and database.</summary>
    public async Task StartServiceAsync(string service)
    {
        // MassTransit creates a bus with the ambient log context (an AsyncLocal) when there is one: here, the stopped host's.
        MassTransit.LogContext.Current = null;
        await _starts[service]();
    }

    /// <summary>Registers a service through the admin API, takes it live (out of sandbox) and returns a client that sends its API key.</summary>
    public async Task<HttpClient> RegisterServiceAsync(string id, params string[] allowedChannels)
    {
        var apiKey = await ServiceOnboarding.RegisterLiveAsync(Gateway, OperatorKey, id, "Anagrafe",
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
        using var response = await Gateway.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    /// <summary>
    /// Another gateway instance on the same database and vhost, configured and composed as the first one (as a scaled-out
    /// deployment runs it), and a client for it.
    /// </summary>
    public async Task<HttpClient> StartGatewayReplicaAsync()
    {
        var first = _hosts.First(h => h.Environment.ApplicationName == "Notifiche.Gateway");
        var settings = first.Configuration.AsEnumerable()
            .Where(s => s.Key.StartsWith("ConnectionStrings:", StringComparison.Ordinal) || s.Key.StartsWith("Gateway:", StringComparison.Ordinal))
            .ToDictionary(s => s.Key, s => s.Value);
        var replica = await StartHostAsync("Notifiche.Gateway", settings, b =>
        {
            b.AddGateway();
            b.AddNotificheBus(bus => bus.AddGatewayConsumers());
        }, app =>
        {
            app.UseApiDefaults();
            app.MapGateway();
            return Task.CompletedTask;
        });
        return new HttpClient { BaseAddress = new Uri(replica.Urls.First()) };
    }

    private async Task StartHostsAsync()
    {
        var gateway = await StartHostAsync("Notifiche.Gateway", new()
        {
            ["ConnectionStrings:Gateway"] = Database.ConnectionString,
            ["Gateway:Database:Provider"] = "PostgreSql",
            ["Gateway:OperatorKey"] = OperatorKey,
            ["Gateway:Outbox:SweepInterval"] = "00:00:01",
            ["Gateway:AppBackendKey"] = AppBackendKey,
            ["Gateway:Callbacks:AllowHttp"] = "true",
            ["Gateway:Callbacks:Timeout"] = "00:00:05",
            ["Messaging:EndpointRetry:status-callback:Limit"] = "40",
            ["Messaging:EndpointRetry:status-callback:MinInterval"] = "00:00:00.2",
            ["Messaging:EndpointRetry:status-callback:MaxInterval"] = "00:00:01",
            ["Messaging:EndpointRetry:status-callback:Delta"] = "00:00:00.2",
        }, b =>
        {
            b.AddGateway();
            b.AddNotificheBus(bus => bus.AddGatewayConsumers());
        }, async app =>
        {
            app.UseApiDefaults();
            app.MapGateway();
            await app.Services.PrepareDatabaseAsync<GatewayDbContext>();
        });
        Gateway = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()) };
        Inbox = new HttpClient { BaseAddress = Gateway.BaseAddress };
        Inbox.DefaultRequestHeaders.Add("X-Api-Key", AppBackendKey);
        GatewayServices = gateway.Services;

        var preferences = await StartHostAsync("Notifiche.Preferences", new()
        {
            ["ConnectionStrings:Preferences"] = PreferencesDatabase.ConnectionString,
            ["Preferences:Database:Provider"] = "PostgreSql",
            [PreferencesExtensions.AppBackendKeySetting] = AppBackendKey,
        }, b =>
        {
            b.AddPreferences();
            b.AddNotificheBus(bus => bus.AddPreferencesConsumers());
        }, async app =>
        {
            app.UseApiDefaults();
            app.MapPreferences();
            await app.Services.PrepareDatabaseAsync<PreferencesDbContext>();
        });
        Preferences = new HttpClient { BaseAddress = new Uri(preferences.Urls.First()) };
        Preferences.DefaultRequestHeaders.Add("X-Api-Key", AppBackendKey);

        EmailDispatchDatabase = await PostgresTestDatabase.CreateAsync("dispatch_email");
        SmsDispatchDatabase = await PostgresTestDatabase.CreateAsync("dispatch_sms");
        PushDispatchDatabase = await PostgresTestDatabase.CreateAsync("dispatch_push");
        await StartHostAsync("Notifiche.Dispatch.Email", Settings(Smtp.DispatcherSettings(poolSize: 2), TestDispatchLedger.PostgreSql(EmailDispatchDatabase)), b =>
        {
            b.AddEmailDispatch();
            b.AddNotificheBus(bus => bus.AddEmailDispatchConsumers());
        }, _ => Task.CompletedTask);

        await StartProviderDispatchersAsync();
    }

    private async Task StartProviderDispatchersAsync()
    {
        await StartHostAsync("Notifiche.Dispatch.Sms", Settings(Twilio.DispatcherSettings(), TestDispatchLedger.PostgreSql(SmsDispatchDatabase), new()
        {
            // Graceful shutdown gives up on a slow provider after this (the graceful-shutdown specs wait for it).
            ["Messaging:ShutdownTimeout"] = "00:00:05",
        }), b =>
        {
            b.AddSmsDispatch();
            b.AddNotificheBus(bus => bus.AddSmsDispatchConsumers());
        }, _ => Task.CompletedTask);

        await StartHostAsync("Notifiche.Dispatch.Push", Settings(Fcm.DispatcherSettings(), TestDispatchLedger.PostgreSql(PushDispatchDatabase)), b =>
        {
            b.AddPushDispatch();
            b.AddNotificheBus(bus => bus.AddPushDispatchConsumers());
        }, _ => Task.CompletedTask);
    }

    private static Dictionary<string, string?> Settings(params Dictionary<string, string?>[] parts) =>
        parts.SelectMany(p => p).ToDictionary(p => p.Key, p => p.Value);

    private Task<WebApplication> StartHostAsync(string service, Dictionary<string, string?> settings,
        Action<WebApplicationBuilder> add, Func<WebApplication, Task> map)
    {
        _starts[service] = () => BuildAndStartHostAsync(service, settings, add, map);
        return _starts[service]();
    }

    private async Task<WebApplication> BuildAndStartHostAsync(string service, Dictionary<string, string?> settings,
        Action<WebApplicationBuilder> add, Func<WebApplication, Task> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = service,
            EnvironmentName = "Testing",
            // An empty content root: no appsettings.json of whichever service happened to be copied into the test output.
            ContentRootPath = EmptyContentRoot.Value,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RabbitMq:Host"] = TestEnvironment.RabbitMqHost,
            ["Messaging:RabbitMq:Port"] = TestEnvironment.RabbitMqPort.ToString(),
            ["Messaging:RabbitMq:VirtualHost"] = Vhost.Name,
            ["Messaging:RabbitMq:Username"] = TestEnvironment.RabbitMqUser,
            ["Messaging:RabbitMq:Password"] = TestEnvironment.RabbitMqPassword,
            ["Messaging:Retry:Limit"] = "8",
            ["Messaging:Retry:MinInterval"] = "00:00:00.2",
            ["Messaging:Retry:MaxInterval"] = "00:00:01",
            ["Messaging:Retry:Delta"] = "00:00:00.2",
            ["Messaging:ProviderRetry:Limit"] = "30",
            ["Messaging:ProviderRetry:MinInterval"] = "00:00:00.2",
            ["Messaging:ProviderRetry:MaxInterval"] = "00:00:01",
            ["Messaging:ProviderRetry:Delta"] = "00:00:00.2",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        // Every line at Debug and above is captured under the services' own category filters (the privacy specs read them);
        // warnings and errors also go to the test output.
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(LogCapture.Instance);
        builder.AddServiceDefaults();
        add(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        await map(app);
        await app.StartAsync();
        _hosts.Add(app);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }

        Gateway?.Dispose();
        Inbox?.Dispose();
        Preferences?.Dispose();
        await Smtp.DisposeAsync();
        await Twilio.DisposeAsync();
        await Fcm.DisposeAsync();
        await Vhost.DisposeAsync();
        await Database.DisposeAsync();
        await PreferencesDatabase.DisposeAsync();
        foreach (var ledger in new[] { EmailDispatchDatabase, SmsDispatchDatabase, PushDispatchDatabase }.Where(d => d is not null))
        {
            await ledger.DisposeAsync();
        }
    }
}
