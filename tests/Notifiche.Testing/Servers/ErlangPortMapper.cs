using System.Diagnostics;
using System.Net.Sockets;

namespace Notifiche.Testing.Servers;

/// <summary>
/// A private epmd (the Erlang port mapper) on a loopback port of its own: RabbitMQ nodes register there, nothing else on
/// the machine sees them, and it can be stopped without disturbing a system-wide epmd on 4369.
/// </summary>
internal sealed class ErlangPortMapper : IDisposable
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private Process? _process;
    private OrphanGuard? _guard;

    public int Port { get; } = FreePort.Next();

    /// <summary>Starts it unless it runs already, and waits until it accepts connections.</summary>
    public async Task EnsureStartedAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        await _starting.WaitAsync(cancellation);
        try
        {
            if (_process is { HasExited: false })
            {
                return;
            }

            // setsid: not in the terminal's process group, so a Ctrl-C meant for the tests does not stop it under them.
            _process = Process.Start(new ProcessStartInfo("setsid", ["epmd", "-port", Port.ToString(), "-address", "127.0.0.1"])
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/",
            })!;
            _guard ??= OrphanGuard.Start($"kill -KILL {_process.Id}");
            var process = _process;
            await Wait.UntilAsync(AcceptsConnectionsAsync, () => process.HasExited ? "epmd exited" : null, timeout,
                $"epmd on 127.0.0.1:{Port}", cancellation);
        }
        finally
        {
            _starting.Release();
        }
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process?.Dispose();
        _process = null;
        _guard?.Dispose();
        _guard = null;
        _starting.Dispose();
    }
}
