using Notifiche.Testing;

namespace Notifiche.Governance.Tests;

public sealed record ToolRun(int ExitCode, string Output);

/// <summary>notifiche-admin run in-process against the platform's gateway, the way an operator runs it.</summary>
public static class AdminTool
{
    public static async Task<ToolRun> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        string[] connection = args.Contains("--operator-key")
            ? ["--url", Platform.Hosts.Management.BaseAddress!.ToString()]
            : ["--url", Platform.Hosts.Management.BaseAddress!.ToString(), "--operator-key", PlatformHosts.OperatorKey];
        var exitCode = await Notifiche.Admin.Program.RunAsync([.. args, .. connection], output);
        TestContext.Out.WriteLine($"$ notifiche-admin {string.Join(' ', args)}  -> exit {exitCode}\n{output}");
        return new ToolRun(exitCode, output.ToString());
    }

    /// <summary>The API key a create or keys issue printed (the indented line after "API key ...:").</summary>
    public static string IssuedKey(ToolRun run) =>
        run.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("ntf_", StringComparison.Ordinal));

    public static string IssuedKeyId(ToolRun run) =>
        run.Output.Split('\n').Single(l => l.StartsWith("API key ", StringComparison.Ordinal)).Split(' ')[2].TrimEnd(':');
}
