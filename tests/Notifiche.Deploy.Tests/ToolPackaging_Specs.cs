using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

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
    [TestCase("tools/Notifiche.Cli/Notifiche.Cli.csproj", "Notifiche.Tools.Cli", "notifiche", "campaign")]
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

            var pack = await RunAsync("dotnet", ["pack", Repository.Path(project), "-c", Configuration, "--no-build", "-o", feed, "-nologo"]);
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

    /// <summary>The configuration the solution was built in (this assembly's output folder is bin/&lt;configuration&gt;/net10.0).</summary>
    internal static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    internal static async Task<(int Exit, string Output)> RunAsync(string file, IEnumerable<string> args)
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

/// <summary>Issue 18, point 2: the .NET client is package-ready — <c>dotnet pack</c> makes a NuGet package with its metadata, docs and readme.</summary>
public class Packing_the_client
{
    [Test]
    public async Task Should_pack_with_its_licence_readme_documentation_and_no_platform_dependency()
    {
        var feed = Directory.CreateTempSubdirectory("notifiche-client-pack-");
        try
        {
            var pack = await Packaging_the_tools.RunAsync("dotnet", ["pack", Repository.Path("clients/Notifiche.Client/Notifiche.Client.csproj"), "-c",
                Packaging_the_tools.Configuration, "--no-build", "-o", feed.FullName, "-nologo"]);
            Assert.That(pack.Exit, Is.EqualTo(0), pack.Output);

            using var zip = ZipFile.OpenRead(Directory.GetFiles(feed.FullName, "Notifiche.Client.*.nupkg").Single());
            Assert.That(zip.Entries.Select(e => e.FullName),
                Is.SupersetOf(new[] { "lib/net10.0/Notifiche.Client.dll", "lib/net10.0/Notifiche.Client.xml", "README.md" }));
            await using var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string Value(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
            Assert.That((Value("id"), Value("license"), Value("readme")), Is.EqualTo(("Notifiche.Client", "EUPL-1.2", "README.md")));
            Assert.That(metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value),
                Is.EqualTo(new[] { "Microsoft.Extensions.Http.Resilience" }), "no project of the platform leaks into the package");
        }
        finally
        {
            feed.Delete(recursive: true);
        }
    }
}
