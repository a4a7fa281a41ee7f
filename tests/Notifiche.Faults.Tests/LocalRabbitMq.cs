using System.Diagnostics;
using System.Security.Cryptography;
using Notifiche.Testing;
using RabbitMQ.Client;

namespace Notifiche.Faults.Tests;

/// <summary>
/// A RabbitMQ node of the suite's own (private epmd, own ports and data directory) that it can stop, kill with SIGKILL
/// and start again on the same data — the shared node of the other test projects is never touched. A node may also be
/// one of a <see cref="LocalRabbitMqCluster"/>, sharing its epmd and Erlang cookie with the others.
/// </summary>
public sealed class LocalRabbitMq : IAsyncDisposable
{
    private const string Bin = "/usr/lib/rabbitmq/bin";
    private readonly string _root;
    private readonly Dictionary<string, string> _env;
    private Process? _server;
    private Process? _epmd;

    private LocalRabbitMq(string root, string namePrefix, int epmdPort)
    {
        _root = root;
        Port = FreePort.Next();
        ManagementPort = FreePort.Next();
        Node = $"{namePrefix}-{Path.GetFileName(root)}@localhost";
        _env = new()
        {
            ["HOME"] = Path.Combine(root, "home"),
            ["RABBITMQ_NODENAME"] = Node,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port.ToString(),
            ["RABBITMQ_DIST_PORT"] = FreePort.Next().ToString(),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(root, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(root, "log"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(root, "enabled_plugins"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(root, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(root, "advanced.config"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(root, "rabbitmq-env.conf"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(root, "rabbitmq.pid"),
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["ERL_EPMD_PORT"] = epmdPort.ToString(),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        };
    }

    public int Port { get; }
    public int ManagementPort { get; }
    /// <summary>The Erlang node name (<c>name@localhost</c>), as cluster commands and the management API name it.</summary>
    public string Node { get; }
    public bool IsRunning => _server is { HasExited: false };
    public const string User = "guest";
    public const string Password = "guest";

    public static async Task<LocalRabbitMq> StartNewAsync()
    {
        var epmdPort = FreePort.Next();
        var node = await CreateAsync("notifiche-faults", epmdPort, NewErlangCookie());
        node._epmd = StartEpmd(epmdPort);
        await node.StartAsync();
        return node;
    }

    /// <summary>Writes a node's configuration without starting it; <paramref name="extraConfig"/> goes into its rabbitmq.conf.</summary>
    internal static async Task<LocalRabbitMq> CreateAsync(string namePrefix, int epmdPort, string cookie, string extraConfig = "")
    {
        var root = Directory.CreateTempSubdirectory("nf-rmq-").FullName;
        var node = new LocalRabbitMq(root, namePrefix, epmdPort);
        foreach (var dir in new[] { "home", "mnesia", "log" })
        {
            Directory.CreateDirectory(Path.Combine(root, dir));
        }

        var cookieFile = Path.Combine(root, "home", ".erlang.cookie");
        await File.WriteAllTextAsync(cookieFile, cookie);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cookieFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        await File.WriteAllTextAsync(Path.Combine(root, "enabled_plugins"), "[rabbitmq_management].\n");
        await File.WriteAllTextAsync(Path.Combine(root, "rabbitmq-env.conf"), string.Empty);
        await File.WriteAllTextAsync(Path.Combine(root, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{node.Port}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {node.ManagementPort}
            loopback_users.guest = true
            log.file.level = warning
            log.console = false
            disk_free_limit.absolute = 50MB
            {extraConfig}
            """);
        return node;
    }

    /// <summary>Nodes that are to talk to each other share one cookie (the Erlang distribution's shared secret).</summary>
    internal static string NewErlangCookie() => Convert.ToHexString(RandomNumberGenerator.GetBytes(20));

    /// <summary>A private epmd on loopback: the nodes register there, and nothing else on the machine sees them.</summary>
    internal static Process StartEpmd(int port) =>
        Process.Start(new ProcessStartInfo("epmd", ["-port", port.ToString(), "-address", "127.0.0.1"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;

    /// <summary>Starts the node (again, on the same data after a stop or a kill) and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        // setsid: the server leads its own process group, so a kill reaches beam and its helpers together.
        var start = new ProcessStartInfo("setsid", [Path.Combine(Bin, "rabbitmq-server")])
        {
            WorkingDirectory = _root, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var (name, value) in _env)
        {
            start.Environment[name] = value;
        }

        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await Eventually.Until(async () =>
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server exited; see {_root}/log");
            }

            try
            {
                return (await OsProcess.RunAsync(Path.Combine(Bin, "rabbitmqctl"), ["-n", Node, "-q", "await_startup", "--timeout", "10"],
                    _env, check: false, timeout: TimeSpan.FromSeconds(30))).Length == 0 && await AcceptsConnectionsAsync();
            }
            catch (TimeoutException)
            {
                // A CLI call that overran its own bound on a loaded machine (an Erlang VM starting): not up yet, ask again.
                return false;
            }
        }, up => up, TimeSpan.FromSeconds(120), $"the suite's RabbitMQ node {Node} to start");
    }

    /// <summary>Makes this freshly started node a member of <paramref name="seed"/>'s cluster (it gives up its own empty data).</summary>
    internal async Task JoinAsync(LocalRabbitMq seed)
    {
        await CtlAsync("stop_app");
        await CtlAsync("join_cluster", seed.Node);
        await CtlAsync("start_app");
        await Eventually.Until(AcceptsConnectionsAsync, up => up, TimeSpan.FromSeconds(120), $"{Node} to accept connections after joining");
    }

    private Task<string> CtlAsync(params string[] args) =>
        OsProcess.RunAsync(Path.Combine(Bin, "rabbitmqctl"), ["-n", Node, "-q", .. args], _env, timeout: TimeSpan.FromMinutes(2));

    /// <summary>An orderly stop of the node (connections closed by the broker).</summary>
    public async Task StopAsync()
    {
        await OsProcess.RunAsync(Path.Combine(Bin, "rabbitmqctl"), ["-n", Node, "-q", "stop"], _env, check: false);
        await WaitExitedAsync();
    }

    /// <summary>SIGKILL to the whole node: no goodbye to clients, whatever was in memory is gone.</summary>
    public async Task KillAsync()
    {
        if (_server is { HasExited: false })
        {
            await OsProcess.SignalAsync(_server.Id, "KILL", group: true);
        }

        await WaitExitedAsync();
    }

    private async Task WaitExitedAsync()
    {
        if (_server is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _server.WaitForExitAsync(cts.Token);
            _server.Dispose();
            _server = null;
        }
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

    public ConnectionFactory Factory() => new() { HostName = "127.0.0.1", Port = Port, UserName = User, Password = Password };

    /// <summary>A client of this node's management API (<c>…/api/</c>), signed in as the suite's administrator.</summary>
    public HttpClient ManagementApi(TimeSpan timeout)
    {
        var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ManagementPort}/api/"), Timeout = timeout };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{User}:{Password}")));
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

    public async ValueTask DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            await KillAsync();
        }

        if (_epmd is { HasExited: false })
        {
            _epmd.Kill();
        }

        Directory.Delete(_root, recursive: true);
    }
}
