using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Issue 13, point 6: the embedded default (in-memory transport, SQLite) killed with messages in flight loses none of
/// them: on restart it re-drives from its database every notice that is not final, and its dispatch ledger keeps what
/// was already sent from being sent again.
/// </summary>
public class Restarting_the_standalone_platform_after_a_crash
{
    private const int Notices = 200;

    private readonly List<string> _output = [];
    private string _dataDirectory = null!;
    private int _port;
    private int _managementPort;
    private Process? _process;

    [SetUp]
    public void Prepare()
    {
        _dataDirectory = Directory.CreateTempSubdirectory("notifiche-standalone-crash-").FullName;
        _port = FreePort.Next();
        _managementPort = FreePort.Next();
    }

    [TearDown]
    public async Task CleanUpAsync()
    {
        await KillAsync();
        TestContext.Out.WriteLine(string.Join('\n', _output.TakeLast(60)));
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Test]
    public async Task Should_send_every_notice_accepted_before_a_SIGKILL_exactly_once()
    {
        await StartAsync();
        using var client = await ClientAsync();

        var ids = new Guid[Notices];
        await Parallel.ForEachAsync(Enumerable.Range(0, Notices), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            ids[i] = await NoticeApi.SubmitAsync(client, NoticeApi.Body($"crash-{i}@example.it")));
        await KillAsync();
        TestContext.Out.WriteLine($"killed after the last 201 with {Emails().Count} of {Notices} emails written");

        await StartAsync();
        var statuses = await Eventually.Until(() => EmailStatusesAsync(client, ids), s => s.Values.All(IsFinal), TimeSpan.FromMinutes(4),
            "every email channel final after the restart");

        var notSent = statuses.Where(s => s.Value != "SENT").Select(s => $"{s.Key}: {s.Value}").ToList();
        Assert.That(notSent, Is.Empty, "every notice SENT after the restart");
        var emails = Emails();
        Assert.That(emails, Has.Count.EqualTo(Notices), "one email per notice, none twice");
        Assert.That(emails, Is.EquivalentTo(ids.Select(id => $"{id:N}.eml")));
    }

    /// <summary>
    /// Scheduled send (issue 17, point 2) on the standalone: the restart's re-drive must leave a notice that is not due yet
    /// to its own outbox row (re-driven, it would go out at once), and that row must go out once at send_at.
    /// </summary>
    [Test]
    public async Task Should_send_a_scheduled_notice_once_at_its_time_when_killed_and_restarted_before_it()
    {
        await StartAsync();
        using var client = await ClientAsync();
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(25);
        var body = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(NoticeApi.Body("scheduled-crash@example.it")))!;
        body["send_at"] = sendAt;
        var id = await NoticeApi.SubmitAsync(client, body);
        await KillAsync();

        await StartAsync();
        Assert.That(DateTimeOffset.UtcNow, Is.LessThan(sendAt.AddSeconds(-2)), "restarted before send_at (else this spec proves nothing)");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(Emails(), Is.Empty, "the restart's re-drive did not send it early");
        Assert.That((await NoticeApi.StatusAsync(client, id)).GetProperty("status").GetString(), Is.EqualTo("SCHEDULED"));

        var statuses = await Eventually.Until(() => EmailStatusesAsync(client, [id]), s => s.Values.All(IsFinal), TimeSpan.FromSeconds(90),
            "the email channel final after send_at");
        Assert.That(statuses[id], Is.EqualTo("SENT"));
        Assert.That(DateTimeOffset.UtcNow, Is.GreaterThanOrEqualTo(sendAt));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(Emails(), Is.EqualTo(new[] { $"{id:N}.eml" }), "sent once");
    }

    private static bool IsFinal(string status) => status is "SENT" or "FAILED" or "EXPIRED";

    private List<string> Emails()
    {
        var mail = Path.Combine(_dataDirectory, "mail");
        return Directory.Exists(mail) ? [.. Directory.GetFiles(mail, "*.eml").Select(f => Path.GetFileName(f))] : [];
    }

    /// <summary>Each notice's email status, with the failure reason when it failed (to tell an unknown outcome from a loss).</summary>
    private static async Task<Dictionary<Guid, string>> EmailStatusesAsync(HttpClient client, IEnumerable<Guid> ids)
    {
        var statuses = new Dictionary<Guid, string>();
        foreach (var id in ids)
        {
            var status = await NoticeApi.StatusAsync(client, id);
            var email = status.GetProperty("channels").EnumerateArray().FirstOrDefault(c => c.GetProperty("channel").GetString() == "email");
            statuses[id] = email.ValueKind == JsonValueKind.Undefined ? status.GetProperty("status").GetString()!
                : email.GetProperty("status").GetString() is "FAILED" ? $"FAILED ({email.GetProperty("reason")})"
                : email.GetProperty("status").GetString()!;
        }

        return statuses;
    }

    private async Task<HttpClient> ClientAsync()
    {
        var key = (await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "demo-api-key.txt"))).Trim();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}") };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>Starts the built standalone host on the data folder and waits until it answers ready.</summary>
    private async Task StartAsync()
    {
        var assembly = Running_the_standalone_platform.StandaloneAssembly();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly, $"--Standalone:DataDirectory={_dataDirectory}", $"--Urls=http://127.0.0.1:{_port}", $"--Management:Port={_managementPort}" },
            WorkingDirectory = Path.GetDirectoryName(assembly),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_managementPort}"), Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Until(async () =>
        {
            try
            {
                return (await http.GetAsync("/health/ready")).StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return HttpStatusCode.ServiceUnavailable;
            }
        }, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "the standalone ready");
    }

    /// <summary>SIGKILL: nothing in flight gets a chance to finish.</summary>
    private async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    private void Keep(string? line)
    {
        lock (_output)
        {
            _output.Add(line ?? string.Empty);
        }
    }
}
