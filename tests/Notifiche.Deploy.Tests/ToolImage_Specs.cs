using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Notifiche.Deploy.Tests;

/// <summary>
/// Issue 19, point 6: the operators' tools as a container image (<c>deploy/tools.Dockerfile</c>), built like the
/// services' image. No Docker daemon runs here: the recipe is checked against the projects it builds (every file they
/// compile is in the build context and copied), and against the services' image (same runtime, non-root user).
/// </summary>
public partial class Building_the_tools_image
{
    private static readonly string[] Tools = ["tools/Notifiche.Admin/Notifiche.Admin.csproj", "tools/Notifiche.Dlq/Notifiche.Dlq.csproj"];

    private static readonly List<string> Recipe = Lines(Repository.Read("deploy", "tools.Dockerfile"));

    [TestCaseSource(nameof(Tools))]
    public void Should_copy_every_project_and_linked_file_the_tool_builds_from_before_restoring_and_publishing_it(string tool)
    {
        var stages = Stages(Recipe);
        var build = stages.Single(s => s.Name == "build");
        var projects = stages.Single(s => s.Name == "projects");
        var needed = Closure(tool);

        Assert.Multiple(() =>
        {
            foreach (var path in needed)
            {
                Assert.That(Copies(projects).Any(source => path.StartsWith(source, StringComparison.Ordinal)), Is.True, $"{path}: in the restore layer");
                Assert.That(Copies(build).Any(source => path.StartsWith(source, StringComparison.Ordinal)), Is.True, $"{path}: copied before publish");
                Assert.That(Ignored(path), Is.False, $"{path}: not left out of the build context by .dockerignore");
            }
        });
        Assert.That(build.Lines, Has.Some.Contains($"dotnet restore {tool}"));
        Assert.That(build.Lines, Has.Some.Match($@"dotnet publish {Regex.Escape(tool)} -c Release -o /app/\w+"));
    }

    [TestCaseSource(nameof(Tools))]
    public void Should_put_the_tools_command_on_the_path(string tool)
    {
        var command = XDocument.Load(Repository.Path(tool)).Descendants("AssemblyName").Single().Value;
        var folder = Regex.Match(string.Join('\n', Recipe), $@"dotnet publish {Regex.Escape(tool)} -c Release -o (/app/\w+)").Groups[1].Value;

        Assert.That(Recipe, Has.Some.Contains($"ln -s {folder}/{command} /usr/local/bin/{command}"));
    }

    [Test]
    public void Should_run_on_the_services_runtime_image_as_the_non_root_user()
    {
        var services = Stages(Lines(Repository.Read("deploy", "Dockerfile")));
        var tools = Stages(Recipe);

        Assert.That(tools[^1].Image, Is.EqualTo(services[^1].Image), "the same runtime image as the services");
        Assert.That(tools.Select(s => s.Image).Distinct(), Is.EquivalentTo(services.Select(s => s.Image).Distinct()), "the same SDK and runtime images");
        Assert.That(tools[^1].Lines, Has.Some.EqualTo("USER $APP_UID"));
        Assert.That(tools[^1].Lines.Where(l => l.StartsWith("USER ", StringComparison.Ordinal)).Last(), Is.EqualTo("USER $APP_UID"), "the last USER is the app user");
    }

    private sealed record Stage(string Image, string Name, List<string> Lines);

    /// <summary>The instructions, continuation lines joined, comments dropped.</summary>
    private static List<string> Lines(string dockerfile) =>
        [.. Regex.Replace(dockerfile, @"\\\r?\n\s*", " ").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    private static List<Stage> Stages(List<string> lines)
    {
        var stages = new List<Stage>();
        foreach (var line in lines)
        {
            if (FromLine().Match(line) is { Success: true } from)
            {
                stages.Add(new Stage(from.Groups["image"].Value, from.Groups["name"].Value, []));
            }
            else
            {
                stages[^1].Lines.Add(line);
            }
        }

        return stages;
    }

    /// <summary>The repository paths a stage copies from the build context (not from another stage).</summary>
    private static IEnumerable<string> Copies(Stage stage) =>
        stage.Lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from="))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]);

    /// <summary>The tool's project, the projects it references (transitively) and files it links from elsewhere, as repository paths.</summary>
    private static SortedSet<string> Closure(string project)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!found.Add(next))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(next)!;
            var document = XDocument.Load(Repository.Path(next));
            foreach (var reference in document.Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value))
            {
                pending.Push(Relative(folder, reference));
            }

            foreach (var linked in document.Descendants("Compile").Select(c => c.Attribute("Include")?.Value).OfType<string>())
            {
                found.Add(Relative(folder, linked));
            }
        }

        return found;
    }

    private static string Relative(string folder, string include) =>
        Path.GetRelativePath(Repository.Root, Path.GetFullPath(Path.Combine(Repository.Path(folder), include.Replace('\\', '/')))).Replace('\\', '/');

    /// <summary>Whether a .dockerignore rule (<c>**/*.ext</c>, <c>**/folder/</c> anywhere, or a path from the root) leaves the path out.</summary>
    private static bool Ignored(string path) =>
        Repository.Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Any(rule => rule switch
        {
            _ when rule.StartsWith("**/*.", StringComparison.Ordinal) => path.EndsWith(rule[4..], StringComparison.Ordinal),
            _ when rule.StartsWith("**/", StringComparison.Ordinal) => path.Split('/').Contains(rule[3..].TrimEnd('/')),
            _ => path == rule.TrimEnd('/') || path.StartsWith(rule.TrimEnd('/') + "/", StringComparison.Ordinal),
        });

    [GeneratedRegex(@"^FROM (?<image>\S+)(?: AS (?<name>\S+))?$")]
    private static partial Regex FromLine();
}
