using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using RabbitMQ.Client;

namespace Notifiche.Testing.Servers;

/// <summary>
/// A throwaway RabbitMQ node with the management plugin, like a Testcontainers container without Docker: the installed
/// server (<c>/usr/lib/rabbitmq/bin</c>) on free loopback ports, with its own data directory, Erlang cookie and epmd, so
/// it never touches a system-wide RabbitMQ. It can be stopped, killed with SIGKILL and started again on the same data.
/// A node may also be one of a <see cref="LocalRabbitMqCluster"/>, sharing its epmd and cookie with the others.
/// </summary>
/// <remarks>
/// The settings are the deployment's (docker-compose.yml with deploy/rabbitmq/, deploy/kubernetes/rabbitmq-cluster.yaml),
/// except for what a throwaway test node needs otherwise:
/// <list type="bullet">
/// <item>the user is <c>guest</c>/<c>guest</c>, usable from loopback only, not deploy/rabbitmq/definitions.json's
/// <c>notifiche</c>; it has the same tags, <c>administrator</c> and <c>impersonator</c> (the gateway moves a service's
/// broker submission, which carries that service's <c>user_id</c>, to <c>submit-notice_error</c>, and RabbitMQ lets only an
/// impersonator publish a user_id other than its own);</item>
/// <item>management statistics every second instead of every 5 s, so that queue depths read through the management API
/// are recent when a test polls them;</item>
/// <item>logs to a file only (the image logs to the console), kept when a run fails;</item>
/// <item>the virtual host <c>/</c> has no <c>default_queue_type</c> (it needs RabbitMQ 3.13; Debian 12 ships 3.10): the
/// services declare their queues as quorum queues themselves.</item>
/// </list>
/// </remarks>
public sealed class LocalRabbitMq : IAsyncDisposable
{
    public const string Host = "127.0.0.1";
    public const string User = "guest";
    public const string Password = "guest";
    private const string Bin = "/usr/lib/rabbitmq/bin";
    private static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(180);

    private readonly string _root;
    private readonly ErlangPortMapper _epmd;
    private readonly bool _ownsEpmd;
    private readonly Dictionary<string, string> _env;
    private readonly OrphanGuard _guard;
    private Process? _server;
    private bool _disposed;

    private LocalRabbitMq(string root, string namePrefix, ErlangPortMapper epmd, bool ownsEpmd)
    {
        _root = root;
        _epmd = epmd;
        _ownsEpmd = ownsEpmd;
        Port = FreePort.Next();
        ManagementPort = FreePort.Next();
        // The temp directory's random suffix keeps node names unique on the machine.
        Node = $"{namePrefix}-{root[(root.LastIndexOf('-') + 1)..]}@localhost";
        _env = new()
        {
            ["HOME"] = Path.Combine(root, "home"),
            ["RABBITMQ_NODENAME"] = Node,
            ["RABBITMQ_NODE_IP_ADDRESS"] = Host,
            ["RABBITMQ_NODE_PORT"] = Port.ToString(),
            ["RABBITMQ_DIST_PORT"] = FreePort.Next().ToString(),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(root, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = LogDirectory,
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(root, "enabled_plugins"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(root, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(root, "advanced.config"),
            // An empty file of our own shields the node from /etc/rabbitmq/rabbitmq-env.conf.
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(root, "rabbitmq-env.conf"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(root, "rabbitmq.pid"),
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["ERL_EPMD_PORT"] = epmd.Port.ToString(),
            ["ERL_EPMD_ADDRESS"] = Host,
        };
        // If this process dies without disposing the node: SIGKILL to the node's process group, then its files go.
        _guard = OrphanGuard.Start($"""
            pgid=$(cat '{PgidFile}' 2>/dev/null) && kill -KILL -- "-$pgid"
            sleep 1
            rm -rf '{root}'
            """);
    }

    /// <summary>The AMQP port on <see cref="Host"/>.</summary>
    public int Port { get; }
    /// <summary>The management API's (and UI's) HTTP port on <see cref="Host"/>.</summary>
    public int ManagementPort { get; }
    /// <summary>The Erlang node name (<c>name@localhost</c>), as cluster commands and the management API name it.</summary>
    public string Node { get; }
    public bool IsRunning => _server is { HasExited: false };
    /// <summary><c>amqp://guest:guest@127.0.0.1:port/</c></summary>
    public Uri AmqpUri => new($"amqp://{User}:{Password}@{Host}:{Port}/");
    /// <summary>The node's log files (its own log and its console output), e.g. to keep them when a run fails.</summary>
    public string LogDirectory => Path.Combine(_root, "log");
    private string PgidFile => Path.Combine(_root, "server.pgid");

    /// <summary>A single node with an epmd of its own, configured but not started (<see cref="StartAsync"/>).</summary>
    public static LocalRabbitMq Create(string namePrefix = "notifiche-test") =>
        Configure(namePrefix, new ErlangPortMapper(), ownsEpmd: true, NewErlangCookie(), extraConfig: string.Empty);

    /// <summary>A single node with extra <c>rabbitmq.conf</c> lines (a TLS listener, …), configured but not started.</summary>
    public static LocalRabbitMq Create(string namePrefix, string extraConfig) =>
        Configure(namePrefix, new ErlangPortMapper(), ownsEpmd: true, NewErlangCookie(), extraConfig);

    /// <summary>A single node, started.</summary>
    public static async Task<LocalRabbitMq> StartNewAsync(TimeSpan? startTimeout = null, CancellationToken cancellation = default)
    {
        var node = Create();
        try
        {
            await node.StartAsync(startTimeout, cancellation);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes a node's configuration without starting it; <paramref name="extraConfig"/> goes into its rabbitmq.conf.</summary>
    internal static LocalRabbitMq Configure(string namePrefix, ErlangPortMapper epmd, bool ownsEpmd, string cookie, string extraConfig)
    {
        var root = Directory.CreateTempSubdirectory("notifiche-rabbitmq-").FullName;
        var node = new LocalRabbitMq(root, namePrefix, epmd, ownsEpmd);
        foreach (var dir in new[] { "home", "mnesia", "log" })
        {
            Directory.CreateDirectory(Path.Combine(root, dir));
        }

        // rabbitmq-server and rabbitmqctl both read $HOME/.erlang.cookie; both are given this private HOME.
        var cookieFile = Path.Combine(root, "home", ".erlang.cookie");
        File.WriteAllText(cookieFile, cookie);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cookieFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(Path.Combine(root, "enabled_plugins"), "[rabbitmq_management].\n");
        File.WriteAllText(Path.Combine(root, "rabbitmq-env.conf"), string.Empty);
        File.WriteAllText(Path.Combine(root, "rabbitmq.conf"), $"""
            listeners.tcp.default = {Host}:{node.Port}
            management.tcp.ip = {Host}
            management.tcp.port = {node.ManagementPort}
            loopback_users.guest = true
            default_user_tags.administrator = true
            default_user_tags.impersonator = true
            log.file.level = info
            consumer_timeout = 3600000
            max_message_size = 262144
            log.console = false
            collect_statistics_interval = 1000
            {extraConfig}
            """);
        return node;
    }

    /// <summary>Nodes that are to talk to each other share one cookie (the Erlang distribution's shared secret).</summary>
    internal static string NewErlangCookie() => Convert.ToHexString(RandomNumberGenerator.GetBytes(20));

    /// <summary>Starts the node (again, on the same data after a stop or a kill) and waits until AMQP and the management API answer.</summary>
    public async Task StartAsync(TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Node} is running already");
        }

        var limit = timeout ?? DefaultStartTimeout;
        await _epmd.EnsureStartedAsync(limit, cancellation);
        // setsid: the server leads its own process group, so a kill reaches beam and its helpers together, and a Ctrl-C
        // in the terminal does not reach it. Its console output goes to a file beside its log.
        var start = new ProcessStartInfo("setsid", ["sh", "-c", "exec \"$0\" >>\"$1\" 2>&1 </dev/null",
            Path.Combine(Bin, "rabbitmq-server"), Path.Combine(LogDirectory, "console.log")])
        {
            WorkingDirectory = _root,
        };
        foreach (var (name, value) in _env)
        {
            start.Environment[name] = value;
        }

        var server = Process.Start(start)!;
        _server = server;
        await File.WriteAllTextAsync(PgidFile, server.Id.ToString(), cancellation);
        using var api = ManagementApi(TimeSpan.FromSeconds(5));
        await Wait.UntilAsync(async () => await AcceptsConnectionsAsync() && await ManagementAnswersAsync(api),
            () => server.HasExited ? $"rabbitmq-server exited with code {server.ExitCode}; see {LogDirectory}" : null,
            limit, $"RabbitMQ node {Node}", cancellation);
    }

    /// <summary>An orderly stop of the node (the broker closes its connections); it is killed if it has not stopped in 3 minutes.</summary>
    public async Task StopAsync()
    {
        if (IsRunning)
        {
            try
            {
                // rabbitmqctl returns once the node has stopped; on a machine shared by several builds that can take a minute.
                await OsProcess.RunAsync(Path.Combine(Bin, "rabbitmqctl"), ["-n", Node, "-q", "stop"], _env, check: false,
                    timeout: TimeSpan.FromMinutes(3));
            }
            catch (TimeoutException)
            {
                // Killed below.
            }
        }

        await WaitExitedAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGKILL to the whole node: no goodbye to clients, whatever was in memory is gone.</summary>
    public async Task KillAsync()
    {
        if (_server is not null)
        {
            await OsProcess.SignalAsync(_server.Id, "KILL", group: true);
        }

        await WaitExitedAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>An orderly stop, then a start on the same data.</summary>
    public async Task RestartAsync(TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        await StopAsync();
        await StartAsync(timeout, cancellation);
    }

    /// <summary>Makes this freshly started node a member of <paramref name="seed"/>'s cluster (it gives up its own empty data).</summary>
    internal async Task JoinAsync(LocalRabbitMq seed)
    {
        await CtlAsync("stop_app");
        await CtlAsync("join_cluster", seed.Node);
        await CtlAsync("start_app");
        await Wait.UntilAsync(AcceptsConnectionsAsync, () => IsRunning ? null : "rabbitmq-server exited", TimeSpan.FromSeconds(120),
            $"{Node} to accept connections after joining", CancellationToken.None);
    }

    private Task<string> CtlAsync(params string[] args) =>
        OsProcess.RunAsync(Path.Combine(Bin, "rabbitmqctl"), ["-n", Node, "-q", .. args], _env, timeout: TimeSpan.FromMinutes(2));

    // Then the whole process group goes (beam's helpers such as erl_child_setup and inet_gethost outlive a stopped beam).
    private async Task WaitExitedAsync(TimeSpan timeout)
    {
        if (_server is null)
        {
            return;
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _server.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Fall through to the kill below.
        }

        await OsProcess.SignalAsync(_server.Id, "KILL", group: true);
        await _server.WaitForExitAsync();
        _server.Dispose();
        _server = null;
        File.Delete(PgidFile);
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            await using var connection = await Factory().CreateConnectionAsync();
            return connection.IsOpen;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static async Task<bool> ManagementAnswersAsync(HttpClient api)
    {
        try
        {
            using var response = await api.GetAsync("overview");
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public ConnectionFactory Factory() => new() { HostName = Host, Port = Port, UserName = User, Password = Password };

    /// <summary>A client of this node's management API (<c>…/api/</c>), signed in as the administrator.</summary>
    public HttpClient ManagementApi(TimeSpan timeout)
    {
        var api = new HttpClient { BaseAddress = new Uri($"http://{Host}:{ManagementPort}/api/"), Timeout = timeout };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        return api;
    }

    /// <summary>Messages ready in a queue (0 when it does not exist).</summary>
    public async Task<uint> MessagesReadyAsync(string queue)
    {
        await using var connection = await Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    /// <summary>Kills the node (a throwaway node needs no orderly stop) and deletes its data and logs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await KillAsync();
        if (_ownsEpmd)
        {
            _epmd.Dispose();
        }

        Directory.Delete(_root, recursive: true);
        _guard.Dispose();
    }
}
