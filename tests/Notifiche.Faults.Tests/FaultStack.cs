using System.Net.Http.Json;
using Notifiche.Testing;

namespace Notifiche.Faults.Tests;

/// <summary>
/// The whole platform as five separate processes on the suite's own RabbitMQ node and PostgreSQL cluster, with a real
/// SMTP server and the Twilio and FCM stubs: every part the scenarios stop, kill and start again. The same platform can
/// be started on a RabbitMQ cluster instead (<see cref="StartOnClusterAsync"/>), for the scenarios that kill one node.
/// </summary>
[SetUpFixture]
public sealed class FaultStack
{
    public static readonly string OperatorKey = TestSettings.OperatorKey;
    public static readonly string AppBackendKey = TestSettings.AppBackendKey;

    /// <summary>The email dispatcher's SMTP connections: at most this many messages are being handed over at once.</summary>
    public const int SmtpPoolSize = 4;

    private static FaultStack? _current;
    private readonly List<IAsyncDisposable> _owned = [];

    public static FaultStack Current => _current ?? throw new InvalidOperationException("fault stack not started");

    /// <summary>The broker node, or on a cluster its first node (any node serves every queue).</summary>
    public LocalRabbitMq Broker { get; private set; } = null!;
    /// <summary>The cluster the services are connected to, when the stack runs on one.</summary>
    public LocalRabbitMqCluster? Cluster { get; private set; }
    public LocalPostgres Database { get; private set; } = null!;
    public SmtpTestServer Smtp { get; private set; } = null!;
    public TwilioStub Twilio { get; private set; } = null!;
    public FcmStub Fcm { get; private set; } = null!;
    public ServiceProcess Gateway { get; private set; } = null!;
    public ServiceProcess Preferences { get; private set; } = null!;
    public ServiceProcess Email { get; private set; } = null!;
    public ServiceProcess Sms { get; private set; } = null!;
    public ServiceProcess Push { get; private set; } = null!;
    public IReadOnlyList<ServiceProcess> Services => [Gateway, Preferences, Email, Sms, Push];
    public string LogDirectory { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        StartLogs("fault suite");
        Broker = Own(await LocalRabbitMq.StartNewAsync());
        Database = Own(await LocalPostgres.StartNewAsync());
        await StartPlatformAsync();
    }

    /// <summary>
    /// The platform on a RabbitMQ cluster of <paramref name="nodes"/> nodes, every service given all of them
    /// (<c>Messaging:RabbitMq:Hosts</c>). It is <see cref="Current"/> until <see cref="StopAsync"/>.
    /// </summary>
    public static async Task<FaultStack> StartOnClusterAsync(int nodes)
    {
        var stack = new FaultStack();
        try
        {
            stack.StartLogs("cluster stack");
            // The cluster and PostgreSQL start side by side: each is mostly waiting for its own processes.
            var cluster = LocalRabbitMqCluster.StartNewAsync(nodes);
            var database = LocalPostgres.StartNewAsync();
            await Task.WhenAll(stack.OwnAsync(cluster), stack.OwnAsync(database));
            stack.Cluster = await cluster;
            stack.Broker = stack.Cluster.Nodes[0];
            stack.Database = await database;
            await stack.StartPlatformAsync();
            return stack;
        }
        catch
        {
            await stack.StopAsync();
            throw;
        }
    }

    private void StartLogs(string what)
    {
        LogDirectory = Directory.CreateTempSubdirectory("notifiche-faults-logs-").FullName;
        TestContext.Progress.WriteLine($"{what}: service logs in {LogDirectory}");
    }

    private async Task StartPlatformAsync()
    {
        Smtp = Own(await SmtpTestServer.StartNewAsync());
        Twilio = Own(await TwilioStub.StartAsync());
        Fcm = Own(await FcmStub.StartAsync());

        // The production retry policy (what the scenarios are about), on the suite's broker node or cluster.
        var settings = new TestSettings(new TestBroker(
            Cluster is null ? [$"127.0.0.1:{Broker.Port}"] : [.. Cluster.Nodes.Select(n => $"127.0.0.1:{n.Port}")], "/", LocalRabbitMq.User, LocalRabbitMq.Password));
        Gateway = Own(Service(ServiceHosts.Gateway, settings.Gateway(Database.ConnectionString("gateway"))));
        Preferences = Own(Service(ServiceHosts.Preferences, settings.Preferences(Database.ConnectionString("preferences"))));
        Email = Own(Service(ServiceHosts.EmailDispatch, settings.Dispatcher(Database.ConnectionString("dispatch_email"), Smtp.DispatcherSettings(poolSize: SmtpPoolSize))));
        Sms = Own(Service(ServiceHosts.SmsDispatch, settings.Dispatcher(Database.ConnectionString("dispatch_sms"), Twilio.DispatcherSettings())));
        Push = Own(Service(ServiceHosts.PushDispatch, settings.Dispatcher(Database.ConnectionString("dispatch_push"), Fcm.DispatcherSettings())));

        // The gateway and preferences first: they migrate their databases and declare the queues the others publish to.
        await Gateway.StartAsync();
        await Preferences.StartAsync();
        await Task.WhenAll(Email.StartAsync(), Sms.StartAsync(), Push.StartAsync());
        _current = this;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_current == this)
        {
            _current = null;
        }

        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    /// <summary>Every service answers ready and its bus is connected again (after a scenario broke and restored something).</summary>
    public Task WaitAllReadyAsync() => Task.WhenAll(Services.Select(s => s.WaitReadyAsync()));

    /// <summary>
    /// What an engineer looks at first when a scenario's wait runs out: each queue's ready and unacknowledged messages
    /// and consumers, the scenario's notices and channels by status, the gateway's outbox, each service's last log lines.
    /// Never throws: a part that cannot be read says why.
    /// </summary>
    public async Task<string> DescribeAsync(string? serviceId)
    {
        var text = new System.Text.StringBuilder();
        try
        {
            using var api = Broker.ManagementApi(TimeSpan.FromSeconds(10));
            var queues = await api.GetFromJsonAsync<System.Text.Json.JsonElement>("queues?columns=name,messages_ready,messages_unacknowledged,consumers");
            text.AppendLine("queues (ready / unacked / consumers), as the management API last sampled them:");
            foreach (var q in queues.EnumerateArray())
            {
                text.AppendLine($"  {q.GetProperty("name")}: {Number(q, "messages_ready")} / {Number(q, "messages_unacknowledged")} / {Number(q, "consumers")}");
            }
        }
        catch (Exception e)
        {
            text.AppendLine($"queues: unreadable ({e.GetType().Name}: {e.Message})");
        }

        await RowsAsync(text, "outbox rows", "SELECT count(*) FROM outbox");
        if (serviceId is not null)
        {
            await RowsAsync(text, "the scenario's notices by status", $"SELECT status, count(*) FROM notices WHERE service_id = '{serviceId}' GROUP BY status");
            await RowsAsync(text, "the scenario's channels by status", "SELECT c.channel, c.status, count(*) FROM notice_channels c "
                + $"JOIN notices n ON n.id = c.notice_id WHERE n.service_id = '{serviceId}' GROUP BY c.channel, c.status ORDER BY 1, 2");
        }

        foreach (var service in Services)
        {
            text.AppendLine($"{service.Name} (started {service.Starts}×, {(service.ExitCode is { } code ? $"exited {code}" : "running")}), last lines:");
            text.AppendLine(service.Tail(15));
        }

        return text.ToString();

        static string Number(System.Text.Json.JsonElement queue, string name) =>
            queue.TryGetProperty(name, out var value) ? value.ToString() : "?";
    }

    private async Task RowsAsync(System.Text.StringBuilder text, string what, string sql)
    {
        try
        {
            var rows = await Database.RowsAsync("gateway", sql);
            text.AppendLine($"{what}: {string.Join(", ", rows.Select(r => string.Join(" ", r)))}");
        }
        catch (Exception e)
        {
            text.AppendLine($"{what}: unreadable ({e.GetType().Name}: {e.Message})");
        }
    }

    /// <summary>Registers a sending service allowed every channel; returns a client that sends its key.</summary>
    public async Task<HttpClient> RegisterServiceAsync(string id)
    {
        using var operatorClient = new HttpClient { BaseAddress = Gateway.ManagementAddress };
        var apiKey = await ServiceOnboarding.RegisterLiveAsync(operatorClient, OperatorKey, id, "Servizio di prova guasti", ["email", "sms", "push"]);
        var client = new HttpClient { BaseAddress = Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public HttpClient PreferencesClient()
    {
        var client = new HttpClient { BaseAddress = Preferences.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", AppBackendKey);
        return client;
    }

    private ServiceProcess Service(string name, Dictionary<string, string?> settings) => new(name, settings, LogDirectory);

    private T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        lock (_owned)
        {
            _owned.Add(disposable);
        }

        return disposable;
    }

    private async Task OwnAsync<T>(Task<T> starting)
        where T : IAsyncDisposable => Own(await starting);
}
