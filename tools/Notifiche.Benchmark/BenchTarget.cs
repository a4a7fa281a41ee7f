using Notifiche.Testing;

namespace Notifiche.Benchmark;

/// <summary>
/// What the benchmark's phases drive and check, however the services run (in this process: <see cref="BenchPlatform"/>;
/// as processes: <see cref="ScaleOutPlatform"/>): the vhost, the three databases, the SMTP sink, the gateways' public
/// addresses (the load goes round-robin across them), the first gateway's management address and preferences' address.
/// </summary>
public sealed record BenchTarget(
    RabbitMqTestVhost Vhost, PostgresTestDatabase GatewayDatabase, PostgresTestDatabase PreferencesDatabase,
    PostgresTestDatabase EmailDispatchDatabase, SmtpSink Smtp, IReadOnlyList<Uri> GatewayAddresses, Uri GatewayManagementAddress,
    Uri PreferencesAddress)
{
    public Uri GatewayAddress => GatewayAddresses[0];

    /// <summary>Registers a service through the admin API, takes it live (out of sandbox) and returns its API key.</summary>
    public async Task<string> RegisterServiceAsync(string id)
    {
        using var admin = new HttpClient { BaseAddress = GatewayManagementAddress };
        // No limits (ServiceOnboarding's): the benchmark measures the pipeline, not a new service's default rate limit and quota.
        return await ServiceOnboarding.RegisterLiveAsync(admin, TestSettings.OperatorKey, id, "Tributi", ["email"]);
    }
}

/// <summary>
/// A fresh vhost, three fresh databases and an SMTP sink for one layout of the platform, and each service's settings on
/// them: the same for the in-process hosts and the service processes, so that the two layouts differ only in how the
/// services run. What production runs (retry, outbox, pool sizes), with the benchmark's knobs on top.
/// </summary>
public sealed class BenchInfrastructure : IAsyncDisposable
{
    private readonly BenchOptions _options;
    private readonly TestSettings _settings;

    private BenchInfrastructure(BenchOptions options, RabbitMqTestVhost vhost, PostgresTestDatabase gatewayDb, PostgresTestDatabase preferencesDb,
        PostgresTestDatabase emailDispatchDb)
    {
        _options = options;
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
    }

    public RabbitMqTestVhost Vhost { get; }
    public PostgresTestDatabase GatewayDatabase { get; }
    public PostgresTestDatabase PreferencesDatabase { get; }
    /// <summary>The email dispatchers' ledger; it outlives a stop and start of a dispatcher.</summary>
    public PostgresTestDatabase EmailDispatchDatabase { get; }
    public SmtpSink Smtp { get; } = new();

    /// <param name="prefix">Names the vhost (<c>prefix-…</c>) and the databases (<c>prefix_gw_…</c>, …) after the layout.</param>
    public static async Task<BenchInfrastructure> CreateAsync(BenchOptions options, string prefix)
    {
        var database = prefix.Replace('-', '_');
        return new BenchInfrastructure(options, await RabbitMqTestVhost.CreateAsync(prefix), await PostgresTestDatabase.CreateAsync($"{database}_gw"),
            await PostgresTestDatabase.CreateAsync($"{database}_prefs"), await PostgresTestDatabase.CreateAsync($"{database}_email"));
    }

    public Dictionary<string, string?> Gateway() => _settings.Gateway(ServiceConnectionString(GatewayDatabase));

    public Dictionary<string, string?> Preferences() => _settings.Preferences(ServiceConnectionString(PreferencesDatabase));

    /// <summary>An email dispatcher on the benchmark's SMTP sink instead of the test SMTP server: the provider part is all that differs.</summary>
    public Dictionary<string, string?> EmailDispatcher() => _settings.Dispatcher(ServiceConnectionString(EmailDispatchDatabase), new Dictionary<string, string?>
    {
        ["Email:Transport"] = "Smtp",
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = Smtp.Port.ToString(),
        ["Email:Smtp:Security"] = "None",
        ["Email:Smtp:Timeout"] = "00:00:10",
        ["Email:Smtp:PoolSize"] = _options.SmtpPoolSize?.ToString(),
    });

    public BenchTarget Target(IReadOnlyList<Uri> gateways, Uri gatewayManagement, Uri preferences) =>
        new(Vhost, GatewayDatabase, PreferencesDatabase, EmailDispatchDatabase, Smtp, gateways, gatewayManagement, preferences);

    private string ServiceConnectionString(PostgresTestDatabase database) =>
        _options.PgAutoPrepare is { } n ? $"{database.ConnectionString};Max Auto Prepare={n};Auto Prepare Min Usages=2" : database.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        await Smtp.DisposeAsync();
        await Vhost.DisposeAsync();
        await GatewayDatabase.DisposeAsync();
        await PreferencesDatabase.DisposeAsync();
        await EmailDispatchDatabase.DisposeAsync();
    }
}
