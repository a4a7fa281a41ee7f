using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notifiche.Dispatch.Email;
using Notifiche.Gateway;
using Notifiche.Gateway.Data;
using Notifiche.Messaging;
using Notifiche.Persistence;
using Notifiche.Preferences;
using Notifiche.Preferences.Data;
using Notifiche.ServiceDefaults;
using Notifiche.Testing;

namespace Notifiche.Benchmark;

/// <summary>
/// The gateway, preferences and email dispatcher as real ASP.NET Core hosts (Kestrel on loopback, RabbitMQ, PostgreSQL,
/// SMTP), composed as each service's Program.cs composes them — like tests/Notifiche.Testing's PlatformHosts, but with
/// the services' own defaults (retry, outbox, pool sizes: what production runs), the fast in-process SMTP sink, and an
/// email dispatcher that can be stopped and started again (backlog drain).
/// </summary>
public sealed class BenchPlatform : IAsyncDisposable
{
    public const string OperatorKey = "bench-operator-key";
    public const string AppBackendKey = "bench-app-backend-key";

    private static readonly Lazy<string> EmptyContentRoot = new(() => Directory.CreateTempSubdirectory("notifiche-bench-host-").FullName);

    private readonly BenchOptions _options;
    private readonly List<WebApplication> _hosts = [];
    private WebApplication? _email;

    private BenchPlatform(BenchOptions options, RabbitMqTestVhost vhost, PostgresTestDatabase gatewayDb, PostgresTestDatabase preferencesDb,
        PostgresTestDatabase emailDispatchDb, SmtpSink smtp)
    {
        _options = options;
        Vhost = vhost;
        GatewayDatabase = gatewayDb;
        PreferencesDatabase = preferencesDb;
        EmailDispatchDatabase = emailDispatchDb;
        Smtp = smtp;
    }

    public RabbitMqTestVhost Vhost { get; }
    public PostgresTestDatabase GatewayDatabase { get; }
    public PostgresTestDatabase PreferencesDatabase { get; }
    /// <summary>The email dispatcher's ledger; it outlives a stop and start of the dispatcher.</summary>
    public PostgresTestDatabase EmailDispatchDatabase { get; }
    public SmtpSink Smtp { get; }
    public Uri GatewayAddress { get; private set; } = null!;
    public Uri PreferencesAddress { get; private set; } = null!;

    public static async Task<BenchPlatform> StartAsync(BenchOptions options)
    {
        var platform = new BenchPlatform(options, await RabbitMqTestVhost.CreateAsync("bench"), await PostgresTestDatabase.CreateAsync("bench_gw"),
            await PostgresTestDatabase.CreateAsync("bench_prefs"), await PostgresTestDatabase.CreateAsync("bench_email"), new SmtpSink());
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

    /// <summary>Registers a service through the admin API, takes it live (out of sandbox) and returns its API key.</summary>
    public async Task<string> RegisterServiceAsync(HttpClient http, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(GatewayAddress, "/api/v1/admin/services"))
        {
            Content = JsonContent.Create(new
            {
                id, name = "Tributi", organization_name = "Regione di Prova", organization_fiscal_code = "80050050154",
                contact_email = "tributi@regione.example.it", allowed_channels = new[] { "email" },
            }),
        };
        request.Headers.Add("X-Operator-Key", OperatorKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        using var activate = new HttpRequestMessage(HttpMethod.Post, new Uri(GatewayAddress, $"/api/v1/admin/services/{id}/activate"));
        activate.Headers.Add("X-Operator-Key", OperatorKey);
        (await http.SendAsync(activate)).EnsureSuccessStatusCode();
        return created!["api_key"];
    }

    private async Task StartHostsAsync()
    {
        var gateway = await StartHostAsync("Notifiche.Gateway", new()
        {
            ["ConnectionStrings:Gateway"] = ServiceConnectionString(GatewayDatabase),
            ["Gateway:Database:Provider"] = "PostgreSql",
            ["Gateway:OperatorKey"] = OperatorKey,
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
        GatewayAddress = new Uri(gateway.Urls.First());

        var preferences = await StartHostAsync("Notifiche.Preferences", new()
        {
            ["ConnectionStrings:Preferences"] = ServiceConnectionString(PreferencesDatabase),
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
        PreferencesAddress = new Uri(preferences.Urls.First());

        await StartEmailDispatcherAsync();
    }

    private string ServiceConnectionString(PostgresTestDatabase database) =>
        _options.PgAutoPrepare is { } n ? $"{database.ConnectionString};Max Auto Prepare={n};Auto Prepare Min Usages=2" : database.ConnectionString;

    public async Task StartEmailDispatcherAsync()
    {
        if (_email is not null)
        {
            return;
        }

        var settings = new Dictionary<string, string?>(TestDispatchLedger.PostgreSql(EmailDispatchDatabase))
        {
            ["ConnectionStrings:DispatchLedger"] = ServiceConnectionString(EmailDispatchDatabase),
            ["Email:Transport"] = "Smtp",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = Smtp.Port.ToString(),
            ["Email:Smtp:Security"] = "None",
            ["Email:Smtp:Timeout"] = "00:00:10",
        };
        if (_options.SmtpPoolSize is { } pool)
        {
            settings["Email:Smtp:PoolSize"] = pool.ToString();
        }

        _email = await StartHostAsync("Notifiche.Dispatch.Email", settings, b =>
        {
            b.AddEmailDispatch();
            b.AddNotificheBus(bus => bus.AddEmailDispatchConsumers());
        }, _ => Task.CompletedTask);
    }

    public async Task StopEmailDispatcherAsync()
    {
        if (_email is null)
        {
            return;
        }

        _hosts.Remove(_email);
        await _email.StopAsync();
        await _email.DisposeAsync();
        _email = null;
    }

    private async Task<WebApplication> StartHostAsync(string service, Dictionary<string, string?> settings,
        Action<WebApplicationBuilder> add, Func<WebApplication, Task> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = service,
            EnvironmentName = "Production",
            ContentRootPath = EmptyContentRoot.Value,
        });
        var common = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RabbitMq:Host"] = TestEnvironment.RabbitMqHost,
            ["Messaging:RabbitMq:Port"] = TestEnvironment.RabbitMqPort.ToString(),
            ["Messaging:RabbitMq:VirtualHost"] = Vhost.Name,
            ["Messaging:RabbitMq:Username"] = TestEnvironment.RabbitMqUser,
            ["Messaging:RabbitMq:Password"] = TestEnvironment.RabbitMqPassword,
        };
        if (_options.Prefetch is { } prefetch)
        {
            common["Messaging:PrefetchCount"] = prefetch.ToString();
        }

        if (_options.OutboxBatch is { } outboxBatch)
        {
            common["Gateway:Outbox:BatchSize"] = outboxBatch.ToString();
        }

        builder.Configuration.AddInMemoryCollection(common);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
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
        foreach (var host in Enumerable.Reverse(_hosts).ToList())
        {
            try
            {
                await host.StopAsync();
                await host.DisposeAsync();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"warning: stopping a host failed: {e.GetType().Name}: {e.Message}");
            }
        }

        _hosts.Clear();
        await Smtp.DisposeAsync();
        await Vhost.DisposeAsync();
        await GatewayDatabase.DisposeAsync();
        await PreferencesDatabase.DisposeAsync();
        await EmailDispatchDatabase.DisposeAsync();
    }
}
