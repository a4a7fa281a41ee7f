using System.Diagnostics;

namespace Notifiche.Testing.Servers;

/// <summary>
/// Cleans up after a server (or a command) whose owner died without disposing it — SIGKILL, a crash, a killed test
/// host — so that no RabbitMQ or PostgreSQL outlives the process that started it. A detached shell (its own session,
/// so Ctrl-C in the terminal does not reach it) blocks reading a pipe that only this process holds; the kernel closes
/// the pipe when this process ends in any way, and the shell then runs <c>cleanup</c>. An orderly
/// <see cref="Dispose"/> writes "done" first, and the shell exits without touching anything.
/// </summary>
public sealed class OrphanGuard : IDisposable
{
    private readonly Process _shell;

    private OrphanGuard(Process shell) => _shell = shell;

    /// <param name="cleanup">A bash script (dash's kill knows no <c>--</c> before a process group), run only if this process dies first.</param>
    public static OrphanGuard Start(string cleanup)
    {
        var script = $"""
            exec >/dev/null 2>&1
            read -r word
            [ "$word" = done ] && exit 0
            {cleanup}
            """;
        // Every standard stream redirected: the shell must hold no copy of this process's output (a test runner
        // waits for the end of its test host's output).
        var start = new ProcessStartInfo("setsid", ["bash", "-c", script, "notifiche-orphan-guard"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/",
        };
        return new OrphanGuard(Process.Start(start)!);
    }

    public void Dispose()
    {
        try
        {
            _shell.StandardInput.WriteLine("done");
            _shell.StandardInput.Close();
            _shell.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (IOException)
        {
            // The shell is already gone.
        }

        _shell.Dispose();
    }
}
