namespace Notifiche.TestServers;

/// <summary>The command line: a mode, options, and for <c>run</c> the command to run.</summary>
public sealed record RunnerOptions(string Mode, TimeSpan StartTimeout, string ArtifactsDirectory, IReadOnlyList<string> Command)
{
    public const string Help = """
        Usage: Notifiche.TestServers <mode> [options] [--] [command [args...]]

        Starts a throwaway RabbitMQ node (with the management plugin) and a PostgreSQL cluster on free 127.0.0.1
        ports, each in a private temp directory (never a system-wide server: nothing is installed, started or
        stopped there), both at once. build.sh calls this; you can too.

        Modes:
          run [--] command [args...]   Start the servers, run the command with the variables below in its
                                       environment (its output goes straight to this terminal), stop the servers
                                       and exit with the command's exit code. Ctrl-C or SIGTERM is passed on to
                                       the command (SIGKILL after 30 s); the servers stop in any case.
                                       Example: run -- dotnet test tests/Notifiche.Gateway.Tests
          infra                        Start the servers, print the variables as `export` lines on stdout (also
                                       written to a file you can `source`) and wait for Ctrl-C or SIGTERM; then
                                       stop them. Exits 1 if a server dies meanwhile.
          -h, --help                   Show this help.

        Options:
          --start-timeout SECONDS      How long each server may take to start (default:
                                       $NOTIFICHE_BUILD_START_TIMEOUT, else 180).
          --artifacts DIR              Where the servers' logs are copied when something failed: a server did not
                                       start or died, or the command failed (default: $NOTIFICHE_ARTIFACTS_DIR,
                                       else <repository>/artifacts/infra-logs).

        Variables given to the command (what tests/Notifiche.Testing/TestEnvironment.cs reads):
          NOTIFICHE_TEST_RABBITMQ_HOST, NOTIFICHE_TEST_RABBITMQ_PORT, NOTIFICHE_TEST_RABBITMQ_MANAGEMENT_PORT,
          NOTIFICHE_TEST_RABBITMQ_USER, NOTIFICHE_TEST_RABBITMQ_PASSWORD, NOTIFICHE_TEST_POSTGRES (an Npgsql
          connection string), NOTIFICHE_TEST_SMTPD_PYTHON ($NOTIFICHE_TEST_SMTPD_PYTHON, else /usr/bin/python3),
          MASSTRANSIT_USAGE_TELEMETRY=false, DOTNET_CLI_TELEMETRY_OPTOUT=1, DOTNET_NOLOGO=1.

        If this process is killed outright (SIGKILL), a detached guard per server still stops that server and
        deletes its directory, and the command's processes get SIGTERM.

        Needs: rabbitmq-server (/usr/lib/rabbitmq/bin), epmd, postgresql (/usr/lib/postgresql/*/bin), util-linux
        (setsid, runuser); as root, PostgreSQL runs as the postgres OS user. The settings, and where they differ from
        the deployment's: tests/Notifiche.Testing/Servers/LocalRabbitMq.cs and LocalPostgres.cs.
        """;

    /// <summary>The options, or null with the reason when the command line is wrong.</summary>
    public static (RunnerOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            return (null, "no mode given");
        }

        var mode = args[0];
        if (mode is "-h" or "--help" or "help")
        {
            return (new RunnerOptions("help", TimeSpan.Zero, string.Empty, []), null);
        }

        if (mode is not ("run" or "infra"))
        {
            return (null, $"unknown mode '{mode}'");
        }

        var startTimeout = Environment.GetEnvironmentVariable("NOTIFICHE_BUILD_START_TIMEOUT") is { Length: > 0 } fromEnv ? fromEnv : "180";
        var artifacts = Environment.GetEnvironmentVariable("NOTIFICHE_ARTIFACTS_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(RepositoryRoot(), "artifacts", "infra-logs");
        // Options up to the first argument that is not one (or up to "--"); the rest is the command.
        var i = 1;
        while (i < args.Count && args[i].StartsWith('-'))
        {
            var option = args[i++];
            if (option == "--")
            {
                break;
            }

            if (option is "-h" or "--help")
            {
                return (new RunnerOptions("help", TimeSpan.Zero, string.Empty, []), null);
            }

            if (option is not ("--start-timeout" or "--artifacts"))
            {
                return (null, $"unknown option '{option}'");
            }

            if (i == args.Count)
            {
                return (null, $"{option} needs a value");
            }

            if (option == "--start-timeout")
            {
                startTimeout = args[i++];
            }
            else
            {
                artifacts = args[i++];
            }
        }

        if (!int.TryParse(startTimeout, out var seconds) || seconds <= 0)
        {
            return (null, $"the start timeout must be a number of seconds, not '{startTimeout}'");
        }

        var command = args.Skip(i).ToList();
        if (mode == "run" && command.Count == 0)
        {
            return (null, "run needs a command to run");
        }

        if (mode == "infra" && command.Count > 0)
        {
            return (null, $"infra takes no command (got '{command[0]}')");
        }

        return (new RunnerOptions(mode, TimeSpan.FromSeconds(seconds), Path.GetFullPath(artifacts), command), null);
    }

    // The nearest directory up from here holding Notifiche.sln, else the current directory.
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Notifiche.sln")))
            {
                return dir.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }
}
