using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.Dlq.Tests;

/// <summary>Issue 5, fault scenario 8: a command dead-lettered while the SMTP server was down is replayed once it is back.</summary>
public class Replaying_emails_dead_lettered_during_an_smtp_outage
{
    private PlatformHosts _platform = null!;
    private HttpClient _service = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _platform = await PlatformHosts.StartAsync("dlq-e2e");
        _service = await _platform.RegisterServiceAsync("anagrafe-dlq");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _service?.Dispose();
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }
    }

    [Test]
    public async Task Should_deliver_each_replayed_email_once_after_the_server_is_back()
    {
        var smtp = _platform.Smtp;
        var addresses = Enumerable.Range(0, 3).Select(i => $"replay-{i}-{Guid.NewGuid():N}@example.it").ToList();
        await smtp.StopAsync();
        var notices = new List<Guid>();
        foreach (var address in addresses)
        {
            notices.Add(await SubmitAsync(address));
        }

        foreach (var notice in notices)
        {
            await Eventually.Until(() => ChannelStatusAsync(notice), s => s == "FAILED", TimeSpan.FromSeconds(90), $"notice {notice} FAILED");
        }

        await Eventually.Until(() => _platform.Vhost.MessagesReadyAsync("send-email_error"), n => n == notices.Count, what: "the dead letters");
        var list = await DeadLetterBroker.RunToolAsync(_platform.Vhost.Name, "list", "--queue", "send-email_error");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.Output);
        foreach (var notice in notices)
        {
            Assert.That(list.Output.Split('\n').Single(l => l.Contains(notice.ToString())), Does.Contain("SendEmail").And.Contain("SMTP connection"));
        }

        Assert.That(addresses, Has.None.Matches<string>(a => list.Output.Contains(a)), "no address in the listing");

        await smtp.StartAsync();
        var replay = await DeadLetterBroker.RunToolAsync(_platform.Vhost.Name, "replay", "--queue", "send-email_error", "--all");

        Assert.That(replay.ExitCode, Is.EqualTo(0), replay.Output);
        Assert.That(replay.Output, Does.Contain($"{notices.Count} replayed"));
        foreach (var address in addresses)
        {
            await Eventually.Holds(() => smtp.MessagesTo(address).Count > 0, TimeSpan.FromSeconds(30), $"an email to {address}");
        }

        // Long enough for a duplicate (a redelivery, a second copy) to show up.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(addresses.Select(a => smtp.MessagesTo(a).Count), Has.All.EqualTo(1), "each email delivered exactly once");
        var after = await DeadLetterBroker.RunToolAsync(_platform.Vhost.Name, "list", "--queue", "send-email_error");
        Assert.That(after.Output, Does.Contain("send-email_error: 0 message(s)"), "nothing dead-lettered again");
        TestContext.Out.WriteLine($"channel status after the replay: {string.Join(", ", await Task.WhenAll(notices.Select(ChannelStatusAsync)))}");
    }

    private async Task<Guid> SubmitAsync(string address)
    {
        var response = await _service.PostAsJsonAsync("/api/v1/notices", new
        {
            fiscal_code = DeadLetterBroker.FiscalCode,
            content = new
            {
                subject = "La tua carta d'identità scade tra 30 giorni",
                markdown = "Gentile cittadino, la tua **carta d'identità** scade il 26/12/2026.\n\nPrenota il rinnovo su [prenotazioni](https://example.it/prenota).",
            },
            default_addresses = new { email = address },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<string?> ChannelStatusAsync(Guid notice)
    {
        var status = await _service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{notice}");
        return status.GetProperty("channels").EnumerateArray()
            .Where(c => c.GetProperty("channel").GetString() == "email")
            .Select(c => c.GetProperty("status").GetString())
            .FirstOrDefault();
    }
}
