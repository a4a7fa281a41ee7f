namespace Notifiche.Deploy.Tests;

/// <summary>Paths in the repository the tests run from (found by walking up to Notifiche.sln).</summary>
public static class Repository
{
    public static readonly string Root = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(Path(parts));

    /// <summary>The deployable services: every project under services/ but the embedded Standalone host.</summary>
    public static IReadOnlySet<string> ServiceProjects() =>
        Directory.GetDirectories(Path("services"))
            .Select(System.IO.Path.GetFileName)
            .OfType<string>()
            .Where(name => File.Exists(Path("services", name, name + ".csproj")) && name != "Notifiche.Standalone")
            .ToHashSet(StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Notifiche.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Notifiche.sln not found above the test directory.");
    }
}
