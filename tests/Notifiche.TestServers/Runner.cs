using System.Diagnostics;
using System.Runtime.InteropServices;
using Notifiche.Testing.Servers;

namespace Notifiche.TestServers;

/// <summary>
/// Starts the servers, then runs the command (<c>run</c>) or waits for Ctrl-C (<c>infra</c>), and stops them whatever
/// happens: the command fails, a signal arrives, a server dies. Progress goes to stderr; in <c>infra</c> mode stdout
/// carries only the <c>export</c> lines.
/// </summary>
internal sealed class Runner(RunnerOptions options)
{
    public const string Prefix = "test-servers: ";
    private static readonly TimeSpan CommandGrace = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _signalLock = new();
    private Process? _command;
    private int _signals;
    private int _exitCodeOnSignal;

    public async Task<int> RunAsync()
    {
        var watch = Stopwatch.StartNew();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        var infrastructure = TestInfrastructure.Create();
        try
        {
            try
            {
                await infrastructure.StartAsync(options.StartTimeout, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                Log("interrupted while the servers were starting");
                return _exitCodeOnSignal;
            }
            catch (Exception e)
            {
                Log($"ERROR: {e.Message}");
                await infrastructure.KeepLogsAsync(options.ArtifactsDirectory);
                return 1;
            }

            Log($"servers ready in {watch.Elapsed.TotalSeconds:0.0} s");
            var (code, keepLogs) = options.Mode == "run"
                ? await RunCommandAsync(infrastructure)
                : await WaitForCtrlCAsync(infrastructure);
            if (keepLogs)
            {
                await infrastructure.KeepLogsAsync(options.ArtifactsDirectory);
            }

            return code;
        }
        finally
        {
            Log("stopping the servers …");
            await infrastructure.DisposeAsync();
            Log($"cleaned up (total {watch.Elapsed.TotalSeconds:0.0} s)");
        }
    }

    private async Task<(int Code, bool KeepLogs)> RunCommandAsync(TestInfrastructure infrastructure)
    {
        // setsid: the command leads a process group of its own, so that a signal reaches all of it (dotnet test, its
        // test hosts, a shell's children), not only its first process; this runner passes signals on.
        var start = new ProcessStartInfo("setsid", options.Command);
        foreach (var (name, value) in infrastructure.Variables())
        {
            start.Environment[name] = value;
        }

        Log($"running: {string.Join(' ', options.Command)}");
        lock (_signalLock)
        {
            if (_stopping.IsCancellationRequested)
            {
                return (_exitCodeOnSignal, false);
            }

            _command = Process.Start(start)!;
        }

        using var command = _command;
        // If this runner is killed outright, the command's processes are told to stop too.
        using (OrphanGuard.Start($"kill -TERM -- -{command.Id}; sleep 10; kill -KILL -- -{command.Id}"))
        {
            await command.WaitForExitAsync();
        }

        lock (_signalLock)
        {
            _command = null;
        }

        var code = command.ExitCode;
        if (_stopping.IsCancellationRequested)
        {
            Log($"interrupted; the command exited with code {code}");
            return (code == 0 ? _exitCodeOnSignal : code, false);
        }

        if (infrastructure.WhatDied() is { } died)
        {
            Log($"ERROR: {died} while the command ran");
            return (code == 0 ? 1 : code, true);
        }

        Log(code == 0 ? "the command succeeded" : $"the command FAILED (exit code {code})");
        return (code, code != 0);
    }

    private async Task<(int Code, bool KeepLogs)> WaitForCtrlCAsync(TestInfrastructure infrastructure)
    {
        var variables = infrastructure.Variables();
        var exports = string.Concat(variables.Select(v => $"export {v.Name}='{v.Value}'\n"));
        var envDirectory = Directory.CreateTempSubdirectory("notifiche-infra-").FullName;
        try
        {
            var envFile = Path.Combine(envDirectory, "env.sh");
            await File.WriteAllTextAsync(envFile, exports);
            Console.Write(exports);
            Console.Out.Flush();
            Log($"servers running; in another terminal: source {envFile} && dotnet test");
            Log("press Ctrl-C to stop them and clean up");
            while (!_stopping.IsCancellationRequested)
            {
                if (infrastructure.WhatDied() is { } died)
                {
                    Log($"ERROR: {died}");
                    return (1, true);
                }

                await Task.Delay(TimeSpan.FromSeconds(2), _stopping.Token).ContinueWith(_ => { });
            }

            Log("interrupted");
            return (0, false);
        }
        finally
        {
            Directory.Delete(envDirectory, recursive: true);
        }
    }

    // Ctrl-C, SIGTERM, SIGHUP: the command gets the same signal (SIGKILL after a grace period, or at once on a second
    // signal); the servers stop once it has exited. Startup and the infra wait are cancelled.
    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        lock (_signalLock)
        {
            _signals++;
            if (_signals == 1)
            {
                _exitCodeOnSignal = 128 + context.Signal switch
                {
                    PosixSignal.SIGINT => 2,
                    PosixSignal.SIGHUP => 1,
                    _ => 15,
                };
                Log($"{context.Signal} received; stopping");
                _stopping.Cancel();
            }

            if (_command is { } command)
            {
                var name = _signals == 1 ? context.Signal.ToString()[3..] : "KILL";
                Signal(command.Id, name);
                if (_signals == 1)
                {
                    _ = Task.Delay(CommandGrace).ContinueWith(_ =>
                    {
                        lock (_signalLock)
                        {
                            if (_command == command)
                            {
                                Log($"the command is still running after {CommandGrace.TotalSeconds:0} s; killing it");
                                Signal(command.Id, "KILL");
                            }
                        }
                    });
                }
            }
        }
    }

    private static void Signal(int processGroup, string signal) =>
        Process.Start(new ProcessStartInfo("kill", [$"-{signal}", "--", $"-{processGroup}"]) { RedirectStandardError = true })?.WaitForExit();

    private static void Log(string message) => Console.Error.WriteLine(Prefix + message);
}
