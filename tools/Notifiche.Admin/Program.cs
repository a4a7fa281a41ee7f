namespace Notifiche.Admin;

/// <summary>notifiche-admin: onboard and govern sending services through the gateway's operator API. See <see cref="AdminCommands"/>.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>Runs one command line, writing results to <paramref name="output"/> and problems to <paramref name="error"/> (default: output).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter? error = null, CancellationToken cancellationToken = default) =>
        AdminCommands.RunAsync(args, output, error ?? output, cancellationToken);
}

/// <summary>The process exit codes, as the help text documents them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The gateway could not be reached or refused the request (unknown service, invalid field, wrong operator key).</summary>
    public const int Error = 1;
    /// <summary>The command line itself is wrong (unknown verb or option, missing argument).</summary>
    public const int Usage = 2;
}

/// <summary>A failure the operator can act on: its message says what happened and what to do; exit code 1.</summary>
public sealed class AdminException(string message) : Exception(message);
