namespace Notifiche.Testing;

/// <summary>
/// The configuration of each service under test, in one place: the in-process hosts (<see cref="PlatformHosts"/>), the
/// fault suite's service processes and the benchmark all take their settings from here and differ only in the knobs
/// below. Production defaults apply to everything not set here.
/// </summary>
public sealed record TestSettings(TestBroker Broker)
{
    /// <summary>
    /// The operator key every test platform's gateway accepts: random per test process, as every secret here (issue 16:
    /// the services refuse a missing, short or placeholder secret, so a test stack has none anybody knows either).
    /// </summary>
    public static readonly string OperatorKey = NewSecret();

    /// <summary>The citizen app backend's key, for the profiles and inbox APIs.</summary>
    public static readonly string AppBackendKey = NewSecret();

    /// <summary>A fresh random secret the services accept: 32 random bytes, base64url (43 characters).</summary>
    public static string NewSecret() => System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Retries in milliseconds instead of the production back-off (eight in-memory attempts, thirty for a provider call,
    /// forty for a status callback), so that specs that break something see the recovery within seconds. The fault suite
    /// and the benchmark run the production policy.
    /// </summary>
    public bool FastRetries { get; init; }

    /// <summary>The secret token Telegram (the test's <c>TelegramStub</c>) sends to the preferences service's webhook.</summary>
    public const string TelegramWebhookSecret = "test-telegram-webhook-secret-never-used-outside-tests";

    /// <summary>How often the gateway's outbox relay looks for rows nobody signalled (production: 5 s).</summary>
    public TimeSpan? OutboxSweepInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Anything else, applied to every service last (the benchmark's prefetch, outbox batch size).</summary>
    public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    public Dictionary<string, string?> Gateway(string connectionString) => Service(new Dictionary<string, string?>
    {
        ["ConnectionStrings:Gateway"] = connectionString,
        ["Gateway:Database:Provider"] = "PostgreSql",
        ["Gateway:OperatorKey"] = OperatorKey,
        ["Gateway:AppBackendKey"] = AppBackendKey,
        ["Gateway:Outbox:SweepInterval"] = OutboxSweepInterval?.ToString("c"),
        // Test receivers listen on plain HTTP on loopback.
        ["Gateway:Callbacks:AllowHttp"] = "true",
        ["Gateway:Callbacks:AllowedNetworks:0"] = "127.0.0.0/8",
        ["Gateway:Callbacks:Timeout"] = "00:00:05",
        // The test clients play the ingress in front of the gateway: their X-Forwarded-For is believed.
        ["Gateway:TrustedProxies:Networks:0"] = "127.0.0.1",
    }, FastRetries ? FastCallbackRetry : new Dictionary<string, string?>());

    public Dictionary<string, string?> Preferences(string connectionString) => Service(new Dictionary<string, string?>
    {
        ["ConnectionStrings:Preferences"] = connectionString,
        ["Preferences:Database:Provider"] = "PostgreSql",
        ["Preferences:AppBackendKey"] = AppBackendKey,
        // No platform quiet hours: specs deliver SMS, push and Telegram at any hour; the quiet-hours specs set a citizen's own.
        ["Preferences:QuietHours:From"] = "00:00",
        ["Preferences:QuietHours:To"] = "00:00",
        ["Preferences:QuietHours:SweepInterval"] = "00:00:00.200",
        ["Preferences:HeldNotices:SweepInterval"] = "00:00:00.200",
        ["Preferences:Telegram:BotUsername"] = TelegramStub.BotUsername,
        ["Preferences:Telegram:WebhookSecret"] = TelegramWebhookSecret,
    });

    /// <summary>A dispatcher: its ledger's database and its provider's settings (<c>SmtpTestServer.DispatcherSettings</c>, …).</summary>
    public Dictionary<string, string?> Dispatcher(string ledgerConnectionString, IReadOnlyDictionary<string, string?> provider) =>
        Service(TestDispatchLedger.Settings("PostgreSql", ledgerConnectionString), provider);

    private Dictionary<string, string?> Service(params IReadOnlyDictionary<string, string?>[] parts)
    {
        var settings = new Dictionary<string, string?>(Broker.Settings())
        {
            // Every test client comes from 127.0.0.1 and many specs expect a 401 on purpose: the production allowance of
            // failed authentications (20, then 10 a minute) would throttle unrelated specs. The throttling's own spec sets its.
            ["Api:FailedAuthentication:Burst"] = "100000",
            ["Api:FailedAuthentication:PerMinute"] = "100000",
        };
        if (FastRetries)
        {
            Merge(settings, FastRetry);
        }

        foreach (var part in parts.Append(Overrides))
        {
            Merge(settings, part);
        }

        // A knob set to null keeps the service's own default.
        return settings.Where(s => s.Value is not null).ToDictionary();
    }

    private static void Merge(Dictionary<string, string?> into, IReadOnlyDictionary<string, string?> part)
    {
        foreach (var (key, value) in part)
        {
            into[key] = value;
        }
    }

    private static readonly Dictionary<string, string?> FastRetry = new()
    {
        ["Messaging:Retry:Limit"] = "8",
        ["Messaging:Retry:MinInterval"] = "00:00:00.2",
        ["Messaging:Retry:MaxInterval"] = "00:00:01",
        ["Messaging:Retry:Delta"] = "00:00:00.2",
        ["Messaging:ProviderRetry:Limit"] = "30",
        ["Messaging:ProviderRetry:MinInterval"] = "00:00:00.2",
        ["Messaging:ProviderRetry:MaxInterval"] = "00:00:01",
        ["Messaging:ProviderRetry:Delta"] = "00:00:00.2",
    };

    private static readonly Dictionary<string, string?> FastCallbackRetry = new()
    {
        ["Messaging:EndpointRetry:status-callback:Limit"] = "40",
        ["Messaging:EndpointRetry:status-callback:MinInterval"] = "00:00:00.2",
        ["Messaging:EndpointRetry:status-callback:MaxInterval"] = "00:00:01",
        ["Messaging:EndpointRetry:status-callback:Delta"] = "00:00:00.2",
    };
}

/// <summary>
/// Where the services under test find RabbitMQ: one node or a cluster's nodes (<c>host:port</c>), a vhost, a user. The
/// test brokers listen on loopback with RabbitMQ's <c>guest</c>/<c>guest</c>, which the services accept only there
/// (<c>Notifiche.ServiceDefaults.Secrets.IsLocalHost</c>): a broker beyond this machine needs a real password.
/// </summary>
public sealed record TestBroker(IReadOnlyList<string> Nodes, string VirtualHost, string User, string Password)
{
    /// <summary>The node <c>./build.sh test</c> started, on a vhost of the caller's.</summary>
    public static TestBroker FromEnvironment(string virtualHost) => new(
        [$"{TestEnvironment.RabbitMqHost}:{TestEnvironment.RabbitMqPort}"], virtualHost, TestEnvironment.RabbitMqUser, TestEnvironment.RabbitMqPassword);

    public Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RabbitMq:VirtualHost"] = VirtualHost,
            ["Messaging:RabbitMq:Username"] = User,
            ["Messaging:RabbitMq:Password"] = Password,
        };
        if (Nodes.Count == 1)
        {
            var (host, port) = Split(Nodes[0]);
            settings["Messaging:RabbitMq:Host"] = host;
            settings["Messaging:RabbitMq:Port"] = port;
        }
        else
        {
            for (var i = 0; i < Nodes.Count; i++)
            {
                settings[$"Messaging:RabbitMq:Hosts:{i}"] = Nodes[i];
            }
        }

        return settings;

        static (string Host, string Port) Split(string node) => (node[..node.LastIndexOf(':')], node[(node.LastIndexOf(':') + 1)..]);
    }
}
