using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Notifiche.Testing;

namespace Notifiche.Benchmark;

/// <summary>
/// The gateway, preferences and email dispatcher as real ASP.NET Core hosts (Kestrel on loopback, RabbitMQ, PostgreSQL,
/// SMTP), composed as each service's Program.cs composes them (tests/Notifiche.Testing's ServiceHosts and TestSettings,
/// as PlatformHosts), but with the services' own defaults (retry, outbox, pool sizes: what production runs), the fast
/// in-process SMTP sink, and an email dispatcher that can be stopped and started again (backlog drain).
/// </summary>
public sealed class BenchPlatform : IAsyncDisposable
{
    public static readonly string OperatorKey = TestSettings.OperatorKey;
    public static readonly string AppBackendKey = TestSettings.AppBackendKey;

    private readonly BenchOptions _options;
    private readonly TestSettings _settings;
    private readonly List<WebApplication> _hosts = [];
    private WebApplication? _email;

    private BenchPlatform(BenchOptions options, RabbitMqTestVhost vhost, PostgresTestDatabase gatewayDb, PostgresTestDatabase preferencesDb,
        PostgresTestDatabase emailDispatchDb, SmtpSink smtp)
    {
        _options = options;
        // What production runs (retry, outbox, pool sizes), with the benchmark's knobs on top.
        _settings = new TestSettings(TestBroker.FromEnvironment(vhost.Name))
        {
            OutboxSweepInterval = null,
            Overrides = new Dictionary<string, string?>
            {
                ["Messaging:PrefetchCount"] = options.Prefetch?.ToString(),
                ["Gateway:Outbox:BatchSize"] = options.OutboxBatch?.ToString(),
            },
        };
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
    /// <summary>The gateway's management port: its admin API.</summary>
    public Uri GatewayManagementAddress { get; private set; } = null!;
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
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(GatewayManagementAddress, "/api/v1/admin/services"))
        {
            Content = JsonContent.Create(new
            {
                id, name = "Tributi", organization_name = "Regione di Prova", organization_fiscal_code = "80050050154",
                contact_email = "tributi@regione.example.it", allowed_channels = new[] { "email" },
                // No limits: the benchmark measures the pipeline, not a new service's default rate limit and quota.
                rate_limit = (object?)null, daily_notice_quota = (int?)null,
            }),
        };
        request.Headers.Add("X-Operator-Key", OperatorKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        using var activate = new HttpRequestMessage(HttpMethod.Post, new Uri(GatewayManagementAddress, $"/api/v1/admin/services/{id}/activate"));
        activate.Headers.Add("X-Operator-Key", OperatorKey);
        (await http.SendAsync(activate)).EnsureSuccessStatusCode();
        return created!["api_key"];
    }

    private async Task StartHostsAsync()
    {
        var gateway = await StartHostAsync(ServiceHosts.Gateway, _settings.Gateway(ServiceConnectionString(GatewayDatabase)));
        GatewayAddress = ServiceHosts.PublicAddress(gateway);
        GatewayManagementAddress = ServiceHosts.ManagementAddress(gateway);
        var preferences = await StartHostAsync(ServiceHosts.Preferences, _settings.Preferences(ServiceConnectionString(PreferencesDatabase)));
        PreferencesAddress = ServiceHosts.PublicAddress(preferences);
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

        // The in-process SMTP sink instead of the test SMTP server: the provider part is all that differs.
        var smtp = new Dictionary<string, string?>
        {
            ["Email:Transport"] = "Smtp",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = Smtp.Port.ToString(),
            ["Email:Smtp:Security"] = "None",
            ["Email:Smtp:Timeout"] = "00:00:10",
            ["Email:Smtp:PoolSize"] = _options.SmtpPoolSize?.ToString(),
        };
        _email = await StartHostAsync(ServiceHosts.EmailDispatch, _settings.Dispatcher(ServiceConnectionString(EmailDispatchDatabase), smtp));
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

    private async Task<WebApplication> StartHostAsync(string service, Dictionary<string, string?> settings)
    {
        var app = await ServiceHosts.StartAsync(service, settings, logging =>
        {
            logging.AddSimpleConsole(o => o.SingleLine = true);
            logging.SetMinimumLevel(LogLevel.Warning);
        }, environment: "Production");
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
