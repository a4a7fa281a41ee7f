using System.Diagnostics;
using System.Net.Sockets;
using MimeKit;

namespace Notifiche.Testing;

/// <summary>
/// A real SMTP server (Debian's aiosmtpd) for one fixture, storing what it accepts in a maildir. Recipients whose
/// local part starts with "reject" get a permanent <c>550</c>; <see cref="StopAsync"/>/<see cref="StartAsync"/> simulate an outage.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private const string Handler = """
        from aiosmtpd.handlers import Mailbox

        class RejectingMailbox(Mailbox):
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.lower().startswith("reject"):
                    return "550 5.1.1 Mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"
        """;

    private readonly string _root;
    private Process? _process;

    private SmtpTestServer(string root, int port)
    {
        _root = root;
        Port = port;
    }

    public int Port { get; }

    public bool IsRunning => _process is { HasExited: false };

    private string MailDir => Path.Combine(_root, "maildir");

    /// <summary>The email dispatcher's settings that point it at this server.</summary>
    public Dictionary<string, string?> DispatcherSettings(int poolSize) => new()
    {
        ["Email:Transport"] = "Smtp",
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = Port.ToString(),
        // The test server speaks plain SMTP: an explicit choice, since the dispatcher requires STARTTLS by default.
        ["Email:Smtp:Security"] = "None",
        ["Email:Smtp:PoolSize"] = poolSize.ToString(),
        ["Email:Smtp:Timeout"] = "00:00:05",
    };

    public static async Task<SmtpTestServer> StartNewAsync()
    {
        var root = Directory.CreateTempSubdirectory("notifiche-smtp-").FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "notifiche_smtpd.py"), Handler);
        var server = new SmtpTestServer(root, FreePort.Next());
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(TestEnvironment.SmtpdPython)
        {
            ArgumentList = { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "notifiche_smtpd.RejectingMailbox", MailDir },
            WorkingDirectory = _root,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["PYTHONPATH"] = _root;
        _process = Process.Start(start) ?? throw new InvalidOperationException("aiosmtpd did not start");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"aiosmtpd exited: {await _process.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"aiosmtpd did not listen on port {Port}");
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>
    /// How many messages the server accepted so far, without parsing them: cheap enough to poll (parsing every message on
    /// each poll keeps a core busy once a suite has sent hundreds, and slows the platform the test is waiting for).
    /// </summary>
    public int Count() => new[] { "new", "cur" }.Select(f => Path.Combine(MailDir, f)).Where(Directory.Exists)
        .Sum(f => Directory.GetFiles(f).Length);

    /// <summary>Every message the server accepted so far.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var folders = new[] { "new", "cur" }.Select(f => Path.Combine(MailDir, f)).Where(Directory.Exists);
        return [.. folders.SelectMany(Directory.GetFiles).Select(file => MimeMessage.Load(file))];
    }

    public IReadOnlyList<MimeMessage> MessagesTo(string address) =>
        [.. Messages().Where(m => m.To.Mailboxes.Any(to => string.Equals(to.Address, address, StringComparison.OrdinalIgnoreCase)))];

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_root, recursive: true);
    }
}
