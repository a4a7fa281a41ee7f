using System.Diagnostics;

namespace Notifiche.Testing.Servers;

/// <summary>Small helpers to run the system tools the test servers are driven with (rabbitmqctl, pg_ctl, kill).</summary>
public static class OsProcess
{
    /// <summary>Runs a command to completion; throws with its output when it fails (unless <paramref name="check"/> is false).</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null,
        bool check = true, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish in time");
        }

        var output = await stdout + await stderr;
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {output}");
        }

        return output;
    }

    /// <summary>Sends a signal to a process, or to a whole process group when <paramref name="group"/> is set.</summary>
    public static Task SignalAsync(int pid, string signal, bool group = false) =>
        RunAsync("kill", [$"-{signal}", "--", group ? $"-{pid}" : pid.ToString()], check: false);

    /// <summary>Runs as the postgres OS user when we are root (PostgreSQL refuses to run as root).</summary>
    public static Task<string> RunAsPostgresAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", file, .. args], timeout: timeout) : RunAsync(file, args, timeout: timeout);

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// True while the process exists and is not a zombie: PID 1 in a container can be slow to reap an orphan (the
    /// postmaster after a stop), and a zombie still answers to <c>kill -0</c>.
    /// </summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return state.Length > 0 && state[0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
