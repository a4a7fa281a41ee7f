namespace Notifiche.Cli;

/// <summary>notifiche: a sending service's command line. See <see cref="CliCommands"/>.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var interrupt = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // Ctrl+C stops watching, never the campaign: it goes on at the platform.
            e.Cancel = true;
            interrupt.Cancel();
        };
        return await CliCommands.RunAsync(args, Console.Out, Console.Error, interrupt.Token, progressOnTerminal: !Console.IsErrorRedirected);
    }
}

/// <summary>The process exit codes, as <c>notifiche campaign send --help</c> documents them.</summary>
public static class ExitCodes
{
    /// <summary>The campaign completed: every row of the file accepted, admitted and its notice sent.</summary>
    public const int Ok = 0;
    /// <summary>The platform could not be reached, or answered what the tool did not expect.</summary>
    public const int Error = 1;
    /// <summary>The command line is wrong (unknown verb or option, missing argument, no such file).</summary>
    public const int Usage = 2;
    /// <summary>The platform refused the upload as a whole (not a campaign file, unknown template, key refused): nothing was stored.</summary>
    public const int Refused = 3;
    /// <summary>The campaign completed with problems: rows rejected or refused, or notices failed (the report lists the rows).</summary>
    public const int CompletedWithProblems = 4;
    /// <summary>The campaign was cancelled.</summary>
    public const int Cancelled = 5;
    /// <summary>The campaign is still running: --no-wait, --timeout reached, or Ctrl+C (it goes on at the platform).</summary>
    public const int StillRunning = 6;
}

/// <summary>A failure the user can act on: its message says what happened; exit code <see cref="Code"/>.</summary>
public sealed class CliException(string message, int code = ExitCodes.Error) : Exception(message)
{
    public int Code { get; } = code;
}
