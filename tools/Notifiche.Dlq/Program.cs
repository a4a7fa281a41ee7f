namespace Notifiche.Dlq;

/// <summary>notifiche-dlq: lists, shows and replays dead-lettered messages (DESIGN §7). See <see cref="DlqCommands"/>.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>Runs one command line, writing results to <paramref name="output"/> and problems to <paramref name="error"/> (default: output).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter? error = null, CancellationToken cancellationToken = default) =>
        DlqCommands.RunAsync(args, output, error ?? output, cancellationToken);
}

/// <summary>The process exit codes, as the help text documents them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The broker could not be reached, a queue or message was not found, or some replays failed.</summary>
    public const int Error = 1;
    /// <summary>The command line itself is wrong (unknown verb or option, missing or conflicting options).</summary>
    public const int Usage = 2;
}

/// <summary>A failure the operator can act on: its message says what happened and what to do; exit code 1.</summary>
public sealed class DlqException(string message) : Exception(message);
