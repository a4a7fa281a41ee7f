using System.CommandLine;
using Notifiche.Client;

namespace Notifiche.Cli;

/// <summary>The command line: verbs, options, help texts, exit codes.</summary>
public static class CliCommands
{
    public const string Name = "notifiche";
    public const string UrlVariable = "NOTIFICHE_URL";
    public const string ApiKeyVariable = "NOTIFICHE_API_KEY";
    public const string DefaultUrl = "http://localhost:5080";

    public static readonly string ExitCodeHelp = $"""
        Exit codes: {ExitCodes.Ok} completed, every row sent; {ExitCodes.Error} error (platform unreachable, unexpected answer); {ExitCodes.Usage} wrong command line or no such file;
          {ExitCodes.Refused} file refused as a whole (not a campaign file, unknown template, key refused): nothing stored;
          {ExitCodes.CompletedWithProblems} completed with rows rejected or refused or notices failed (listed in the report); {ExitCodes.Cancelled} cancelled;
          {ExitCodes.StillRunning} still running (--no-wait, --timeout, Ctrl+C: the campaign goes on at the platform).
        """;

    private static readonly Option<string> UrlOption = new("--url")
    {
        Description = $"The platform's API address [env {UrlVariable}, default {DefaultUrl} (the standalone platform)]", Recursive = true,
    };

    private static readonly Option<string> ApiKeyOption = new("--api-key")
    {
        Description = $"Your service's API key [env {ApiKeyVariable}; prefer the variable: a command line is visible in ps]", Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct, bool progressOnTerminal = false)
    {
        var root = new RootCommand($"""
            {Name}: a sending service's command line for Notifiche.
              {Name} campaign send bollo.csv --template <template-id>     upload, show progress, print the report
              {Name} campaign status <campaign-id>
              {Name} campaign cancel <campaign-id>
            Connection: --url and --api-key, or {UrlVariable} and {ApiKeyVariable}.
            """);
        root.Options.Add(UrlOption);
        root.Options.Add(ApiKeyOption);
        root.Subcommands.Add(CampaignVerbs.Command(output, error, progressOnTerminal));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                error.WriteLine(problem.Message);
            }

            error.WriteLine($"Run '{Name} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, ct);
        }
        catch (CliException e)
        {
            error.WriteLine($"error: {e.Message}");
            return e.Code;
        }
        catch (NotificheApiException e)
        {
            error.WriteLine($"error: {e.Message}");
            return (int)e.Status is >= 400 and < 500 ? ExitCodes.Refused : ExitCodes.Error;
        }
        catch (HttpRequestException e)
        {
            error.WriteLine($"error: the platform could not be reached ({e.Message})");
            return ExitCodes.Error;
        }
    }

    /// <summary>The client for the connection the command line names.</summary>
    public static NotificheClient Client(ParseResult parse)
    {
        var url = parse.GetValue(UrlOption) ?? Environment.GetEnvironmentVariable(UrlVariable) ?? DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException($"'{url}' is not an http(s) URL: give the platform's address with --url or {UrlVariable}.", ExitCodes.Usage);
        }

        var key = parse.GetValue(ApiKeyOption) ?? Environment.GetEnvironmentVariable(ApiKeyVariable)
            ?? throw new CliException($"No API key: set {ApiKeyVariable} (or --api-key) to your service's key.", ExitCodes.Usage);
        return NotificheClient.Create(new NotificheClientOptions { BaseAddress = uri, ApiKey = key });
    }
}
