using System.CommandLine;

namespace Notifiche.Admin;

/// <summary>The command line: verbs, options, help texts, exit codes.</summary>
public static class AdminCommands
{
    public const string Name = "notifiche-admin";

    private static readonly string Connection = $"""
        Connection: --url and --operator-key, or the environment variables {GatewaySettings.UrlVariable} (default {GatewaySettings.DefaultUrl},
          the standalone platform) and {GatewaySettings.OperatorKeyVariable} (the gateway's Gateway:OperatorKey; prefer the variable).
        Exit codes: 0 done, 1 error (gateway unreachable, request refused: the message says why), 2 wrong command line.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var root = Build(output);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                error.WriteLine(problem.Message);
            }

            var path = new List<string>();
            for (var command = parse.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
            {
                path.Insert(0, command.Command == root ? Name : command.Command.Name);
            }

            error.WriteLine($"Run '{string.Join(' ', path)} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false },
                cancellationToken);
        }
        catch (AdminException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Error;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("Interrupted.");
            return ExitCodes.Error;
        }
    }

    private static RootCommand Build(TextWriter output)
    {
        var root = new RootCommand($"""
            {Name}: onboard and govern the services that send notices through Notifiche (issue 8), via the gateway's operator API.
            A new service starts in sandbox (it may send only to its test codici fiscali); 'services activate' takes it live.
            Typical onboarding:
              {Name} services create anagrafe-milano --name 'Servizio anagrafe' --organization-name 'Comune di Milano' \
                --organization-fiscal-code 01199250158 --contact-email anagrafe@comune.milano.it --channel email --channel sms \
                --expected email=1000 --expected sms=2000 --sandbox-recipient RSSMRA85T10A562S
              {Name} services activate anagrafe-milano
              {Name} keys issue anagrafe-milano        (then 'keys revoke' the old one once the service uses the new)
              {Name} census --month 2026-11
            API keys are printed only when issued (create, keys issue); nothing else prints a secret.

            {Connection}
            """);
        foreach (var option in GatewaySettings.Options)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(ServiceVerbs.Command(output));
        root.Subcommands.Add(KeyVerbs.Command(output));
        root.Subcommands.Add(CensusVerb.Command(output));
        return root;
    }

    /// <summary>Runs a verb against the operator API named by the command line.</summary>
    public static void Act(this Command command, Func<ParseResult, OperatorApi, CancellationToken, Task> action) =>
        command.SetAction(async (parse, ct) =>
        {
            using var api = new OperatorApi(GatewaySettings.From(parse));
            await action(parse, api, ct);
            return ExitCodes.Ok;
        });

    public static Argument<string> ServiceId() => new("service-id") { Description = "The service's id, e.g. anagrafe-milano" };
}
