using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Notifiche.Client.Tests;

/// <summary>The client is package-ready: <c>dotnet pack</c> makes a NuGet package with its metadata, docs and readme.</summary>
public class Packing_the_client
{
    [Test]
    public async Task Should_pack_with_its_licence_dependencies_and_documentation()
    {
        var root = RepositoryRoot();
        var feed = Directory.CreateTempSubdirectory("notifiche-client-pack-");
        try
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var start = new ProcessStartInfo("dotnet", ["pack", Path.Combine(root, "clients", "Notifiche.Client", "Notifiche.Client.csproj"),
                "-c", configuration, "--no-build", "-o", feed.FullName, "-nologo"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            using var pack = Process.Start(start)!;
            var output = await pack.StandardOutput.ReadToEndAsync() + await pack.StandardError.ReadToEndAsync();
            await pack.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
            Assert.That(pack.ExitCode, Is.EqualTo(0), output);

            var package = Directory.GetFiles(feed.FullName, "Notifiche.Client.*.nupkg").Single();
            using var zip = ZipFile.OpenRead(package);
            var files = zip.Entries.Select(e => e.FullName).ToList();
            Assert.That(files, Is.SupersetOf(new[] { "lib/net10.0/Notifiche.Client.dll", "lib/net10.0/Notifiche.Client.xml", "README.md" }));

            await using var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open();
            var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string Value(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
            Assert.That(Value("id"), Is.EqualTo("Notifiche.Client"));
            Assert.That(Value("license"), Is.EqualTo("EUPL-1.2"));
            Assert.That(Value("readme"), Is.EqualTo("README.md"));
            var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToList();
            Assert.That(dependencies, Is.EqualTo(new[] { "Microsoft.Extensions.Http.Resilience" }), "no platform project leaks into the package");
        }
        finally
        {
            feed.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Notifiche.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Notifiche.sln not found above the test directory.");
    }
}
