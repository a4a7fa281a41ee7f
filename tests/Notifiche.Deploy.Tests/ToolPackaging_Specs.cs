using System.Diagnostics;

namespace Notifiche.Deploy.Tests;

/// <summary>
/// Issue 19, point 6: the SREs' tools are .NET tools. Each is packed from its built project into a local folder, which
/// then serves as the only package source for <c>dotnet tool install</c> (as a private feed or a copied folder would),
/// and the installed command answers <c>--help</c>.
/// </summary>
public class Packaging_the_tools
{
    [TestCase("tools/Notifiche.Dlq/Notifiche.Dlq.csproj", "Notifiche.Tools.Dlq", "notifiche-dlq", "replay")]
    [TestCase("tools/Notifiche.Admin/Notifiche.Admin.csproj", "Notifiche.Tools.Admin", "notifiche-admin", "census")]
    public async Task Should_install_from_a_local_folder_and_answer_help(string project, string packageId, string command, string verb)
    {
        var work = Directory.CreateTempSubdirectory("notifiche-tool-");
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
            var tools = Path.Combine(work.FullName, "tools");
            // Only the local folder as a source: the install must not depend on a public feed.
            var config = Path.Combine(work.FullName, "nuget.config");
            await File.WriteAllTextAsync(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

            var pack = await RunAsync("dotnet", ["pack", Repository.Path(project), "-c", configuration, "--no-build", "-o", feed, "-nologo"]);
            Assert.That(pack.Exit, Is.EqualTo(0), pack.Output);
            Assert.That(Directory.GetFiles(feed, $"{packageId}.*.nupkg"), Has.Length.EqualTo(1), pack.Output);

            var install = await RunAsync("dotnet", ["tool", "install", packageId, "--tool-path", tools, "--configfile", config]);
            Assert.That(install.Exit, Is.EqualTo(0), install.Output);

            var help = await RunAsync(Path.Combine(tools, command), ["--help"]);
            Assert.That(help.Exit, Is.EqualTo(0), help.Output);
            Assert.That(help.Output, Does.Contain(verb), "the installed command lists its verbs");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not exit in 3 minutes");
        }

        return (process.ExitCode, await output + await errors);
    }
}
