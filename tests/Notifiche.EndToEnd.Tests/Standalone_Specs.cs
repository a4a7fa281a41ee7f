using System.Diagnostics;
using System.Net.Http.Json;
using MimeKit;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>The embedded default, started as its own process the way the README starts it, with nothing else running.</summary>
public class Running_the_standalone_platform
{
    private Process? _process;
    private string _dataDirectory = null!;
    private readonly List<string> _output = [];

    [SetUp]
    public async Task StartAsync()
    {
        // One fixture instance runs every test: forget the previous test's process, whose banner names another port.
        lock (_output)
        {
            _output.Clear();
        }

        _dataDirectory = Directory.CreateTempSubdirectory("notifiche-standalone-").FullName;
        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            // No quiet hours (21:00-08:00 Europe/Rome by default): the Telegram spec runs at any hour.
            ArgumentList =
            {
                StandaloneAssembly(), $"--Standalone:DataDirectory={_dataDirectory}", $"--Urls=http://127.0.0.1:{port}",
                $"--Management:Port={FreePort.Next()}", "--Preferences:QuietHours:From=00:00", "--Preferences:QuietHours:To=00:00",
            },
            WorkingDirectory = Path.GetDirectoryName(StandaloneAssembly()),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { lock (_output) { _output.Add(e.Data ?? string.Empty); } };
        _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.Add(e.Data ?? string.Empty); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        await Eventually.Until(() => Task.FromResult(Printed("demo API key")), printed => printed, TimeSpan.FromSeconds(60), "the startup banner");
    }

    [TearDown]
    public async Task StopAsync()
    {
        // A process the test started is stopped by its own pid, with a kill after a grace period.
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Test]
    public async Task Should_print_the_demo_key_accept_a_notice_and_write_the_eml_file()
    {
        var key = (await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "demo-api-key.txt"))).Trim();
        Assert.That(Printed(key), Is.True, "the banner shows the demo key");
        var url = _output.Select(l => l.Trim()).First(l => l.StartsWith("Notifiche standalone is running on ")).Split(' ')[^1];
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);

        var id = await NoticeApi.SubmitAsync(client, NoticeApi.Body("mario.rossi@example.it"));
        await NoticeApi.WaitForChannelAsync(client, id, "email", "SENT");

        var eml = Path.Combine(_dataDirectory, "mail", $"{id:N}.eml");
        Assert.That(File.Exists(eml), Is.True);
        var message = await MimeMessage.LoadAsync(eml);
        Assert.That(message.To.Mailboxes.Single().Address, Is.EqualTo("mario.rossi@example.it"));
        Assert.That(message.HtmlBody, Does.Contain("<strong>carta d'identità</strong>"));
    }

    [Test]
    public async Task Should_serve_the_interactive_api_reference_at_docs()
    {
        var url = _output.Select(l => l.Trim()).First(l => l.StartsWith("Notifiche standalone is running on ")).Split(' ')[^1];
        using var client = new HttpClient { BaseAddress = new Uri(url) };

        // The banner may come a moment before Kestrel listens.
        var page = await Eventually.Until(async () =>
        {
            try
            {
                return await client.GetAsync("/docs");
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }, r => r is not null, TimeSpan.FromSeconds(30), $"the standalone answering on {url}");
        var document = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/openapi/v1.json");

        Assert.That(page!.IsSuccessStatusCode, Is.True, page.StatusCode.ToString());
        Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("openapi/v1.json").And.Contain("Notifiche API"));
        Assert.That(document.GetProperty("paths").TryGetProperty("/api/v1/notices", out _), Is.True);
    }
    [Test]
    public async Task Should_link_a_telegram_chat_through_the_webhook_and_record_the_message_in_the_telegram_folder()
    {
        var key = (await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "demo-api-key.txt"))).Trim();
        var url = new Uri(_output.Select(l => l.Trim()).First(l => l.StartsWith("Notifiche standalone is running on ")).Split(' ')[^1]);
        using var app = new HttpClient { BaseAddress = url };
        app.DefaultRequestHeaders.Add("X-Api-Key", (await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "app-backend-key.txt"))).Trim());
        (await app.PutAsJsonAsync($"/api/v1/profiles/{NoticeApi.FiscalCode}", new { language = "it" })).EnsureSuccessStatusCode();
        var link = await (await app.PostAsync($"/api/v1/profiles/{NoticeApi.FiscalCode}/telegram/link", null)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var token = new Uri(link.GetProperty("link").GetString()!).Query["?start=".Length..];
        await using var telegram = await TelegramStub.StartAsync();
        var reply = await telegram.PostUpdateAsync(new Uri(url, "/api/v1/telegram/webhook"), (await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "telegram-webhook-secret.txt"))).Trim(), 555001, $"/start {token}");
        Assert.That(reply.Text, Does.StartWith("Fatto!"), reply.ToString());
        using var client = new HttpClient { BaseAddress = url };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);

        var id = await NoticeApi.SubmitAsync(client, NoticeApi.Body());
        await NoticeApi.WaitForChannelAsync(client, id, "telegram", "SENT");

        var line = (await File.ReadAllLinesAsync(Path.Combine(_dataDirectory, "telegram", "telegram.jsonl"))).Single();
        Assert.That(line, Does.Contain("\"chat_id\":555001").And.Contain(id.ToString()));
    }

    [Test]
    public async Task Should_hold_a_notice_until_the_citizen_registers_as_the_readme_shows()
    {
        var url = new Uri(_output.Select(l => l.Trim()).First(l => l.StartsWith("Notifiche standalone is running on ")).Split(' ')[^1]);
        using var client = new HttpClient { BaseAddress = url };
        client.DefaultRequestHeaders.Add("X-Api-Key", (await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "demo-api-key.txt"))).Trim());
        using var app = new HttpClient { BaseAddress = url };
        app.DefaultRequestHeaders.Add("X-Api-Key", (await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "app-backend-key.txt"))).Trim());
        var body = System.Text.Json.JsonSerializer.SerializeToNode(NoticeApi.Body())!;
        body["hold_until_registered"] = true;

        var id = await NoticeApi.SubmitAsync(client, body);
        await Eventually.Until(() => NoticeApi.StatusAsync(client, id), s => s.GetProperty("status").GetString() == "HELD", TimeSpan.FromSeconds(60), "HELD");
        (await app.PutAsJsonAsync($"/api/v1/profiles/{NoticeApi.FiscalCode}", new { email = "chiara.bianchi@example.it", email_verified = true })).EnsureSuccessStatusCode();

        // The standalone's held-notice relay looks every 15 s (Preferences:HeldNotices:SweepInterval).
        await NoticeApi.WaitForChannelAsync(client, id, "email", "SENT", TimeSpan.FromSeconds(60));
        Assert.That(File.Exists(Path.Combine(_dataDirectory, "mail", $"{id:N}.eml")), Is.True);
    }

    private string[] Output()
    {
        lock (_output)
        {
            return [.. _output];
        }
    }

    private bool Printed(string text)
    {
        lock (_output)
        {
            return _output.Any(l => l.Contains(text, StringComparison.Ordinal));
        }
    }

    internal static string StandaloneAssembly()
    {
        // tests/Notifiche.EndToEnd.Tests/bin/<Configuration>/net10.0 → services/Notifiche.Standalone/bin/<Configuration>/net10.0
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var root = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, "services", "Notifiche.Standalone", "bin", configuration, output.Name, "Notifiche.Standalone.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("build the solution first", path);
    }
}
