using System.Diagnostics;
using System.Net;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Issue 16, point 1: the standalone host has no constant keys. It generates its operator and app backend keys on first
/// start, keeps them in its data folder, prints them, and uses the same ones after a restart.
/// </summary>
public class Keeping_the_standalone_keys
{
    private readonly List<string> _output = [];
    private string _dataDirectory = null!;
    private int _port;
    private int _managementPort;
    private Process? _process;

    [SetUp]
    public void Prepare()
    {
        _dataDirectory = Directory.CreateTempSubdirectory("notifiche-standalone-keys-").FullName;
        _port = FreePort.Next();
        _managementPort = FreePort.Next();
    }

    [TearDown]
    public async Task CleanUpAsync()
    {
        await StopAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Test]
    public async Task Should_generate_random_keys_once_print_them_and_reuse_them_after_a_restart()
    {
        await StartAsync();
        var operatorKey = Read("operator-key.txt");
        var appBackendKey = Read("app-backend-key.txt");
        var addressKey = Read("dispatch-address-key.txt");
        Assert.Multiple(() =>
        {
            Assert.That(new[] { operatorKey, appBackendKey, addressKey }, Is.Unique);
            Assert.That(new[] { operatorKey, appBackendKey, addressKey }, Has.All.Length.AtLeast(32));
            Assert.That(operatorKey, Does.Not.StartWith("demo-"));
            Assert.That(Printed(operatorKey) && Printed(appBackendKey), Is.True, "the banner shows both keys");
            Assert.That(Printed(addressKey), Is.False, "the address key is nobody's business");
        });
        Assert.That(await AdminStatusAsync(operatorKey), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await AdminStatusAsync("demo-operator-key"), Is.EqualTo(HttpStatusCode.Unauthorized), "the old constant is gone");

        await StopAsync();
        _output.Clear();
        await StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(Read("operator-key.txt"), Is.EqualTo(operatorKey));
            Assert.That(Read("app-backend-key.txt"), Is.EqualTo(appBackendKey));
            Assert.That(Read("dispatch-address-key.txt"), Is.EqualTo(addressKey));
            Assert.That(Printed(operatorKey), Is.True);
        });
        Assert.That(await AdminStatusAsync(operatorKey), Is.EqualTo(HttpStatusCode.OK));
        using var inbox = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}") };
        inbox.DefaultRequestHeaders.Add("X-Api-Key", appBackendKey);
        Assert.That((await inbox.GetAsync($"/api/v1/inbox/{Citizens.NewFiscalCode()}/notices")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private string Read(string file) => File.ReadAllText(Path.Combine(_dataDirectory, file)).Trim();

    private async Task<HttpStatusCode> AdminStatusAsync(string key)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_managementPort}") };
        client.DefaultRequestHeaders.Add("X-Operator-Key", key);
        return (await client.GetAsync("/api/v1/admin/services")).StatusCode;
    }

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
        await Eventually.Until(() => Task.FromResult(Printed("demo API key")), printed => printed, TimeSpan.FromSeconds(60), "the startup banner");
    }

    private async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    private bool Printed(string text)
    {
        lock (_output)
        {
            return _output.Any(l => l.Contains(text, StringComparison.Ordinal));
        }
    }

    private void Keep(string? line)
    {
        lock (_output)
        {
            _output.Add(line ?? string.Empty);
        }
    }
}
