using System.Text;
using Notifiche.Cli;
using Notifiche.Testing;

namespace Notifiche.Client.Tests;

/// <summary>Issue 18, point 6 through the client and the <c>notifiche</c> command line, against the real gateway.</summary>
public class Campaigns_through_the_client_and_the_command_line
{
    private static readonly NewTemplate Bollo = new("Bollo auto", new Dictionary<string, TemplateText>
    {
        ["it"] = new("Bollo auto per ((targa)) in scadenza", "Gentile **((nome))**, il bollo auto del veicolo ((targa)) scade a fine mese: paga su pagoPA."),
    });

    private static async Task<string> CitizenAsync()
    {
        var citizen = Citizens.NewFiscalCode();
        await Platform.AppBackendClient().PutProfileAsync(citizen, new ProfileUpdate { Email = $"{citizen.ToLowerInvariant()}@example.it", EmailVerified = true });
        return citizen;
    }

    private static string TempFile(string content, string extension = ".csv")
    {
        var path = Path.Combine(Path.GetTempPath(), $"campaign-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, content, new UTF8Encoding(true));
        return path;
    }

    [Test]
    public async Task Should_start_a_campaign_and_follow_it_to_the_end()
    {
        var client = await Platform.ServiceClientAsync("client-campaigns");
        var template = await client.CreateTemplateAsync(Bollo);
        var citizen = await CitizenAsync();
        await using var file = new MemoryStream(Encoding.UTF8.GetBytes($"{{\"codice_fiscale\":\"{citizen}\",\"nome\":\"Maria\",\"targa\":\"AB123CD\"}}\n"));

        var campaign = await client.StartCampaignAsync(template.Id, file, CampaignFileFormat.JsonLines);
        Assert.That((campaign.Rows.Total, campaign.Rows.Accepted, campaign.Rows.Rejected), Is.EqualTo((1, 1, 0)));
        var done = await Eventually.Until(() => client.GetCampaignAsync(campaign.Id), c => !c!.IsRunning, TimeSpan.FromSeconds(60), "campaign done");

        Assert.That(done!.Status, Is.EqualTo("COMPLETED"));
        Assert.That((done.Rows.Admitted, done.Notices.Sent), Is.EqualTo((1L, 1L)));
        Assert.That(await client.GetCampaignAsync(Guid.NewGuid()), Is.Null);
        var refused = Assert.ThrowsAsync<NotificheApiException>(() => client.StartCampaignAsync(template.Id, new MemoryStream("nome;targa\n"u8.ToArray()), CampaignFileFormat.Csv))!;
        Assert.That(refused.Errors.Keys, Is.EqualTo(new[] { "header" }));
    }

    [Test]
    public async Task Should_upload_with_the_command_line_print_the_report_and_exit_by_what_happened()
    {
        var key = await ServiceOnboarding.RegisterLiveAsync(Platform.Hosts.Management, PlatformHosts.OperatorKey, "cli-campaigns", "Tributi", ["email"]);
        var client = NotificheClient.Create(new NotificheClientOptions { BaseAddress = Platform.Hosts.Gateway.BaseAddress, ApiKey = key });
        var template = await client.CreateTemplateAsync(Bollo);
        var citizen = await CitizenAsync();
        string[] Args(params string[] verb) => [.. verb, "--url", Platform.Hosts.Gateway.BaseAddress!.ToString(), "--api-key", key];

        async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            var code = await CliCommands.RunAsync(args, output, error, CancellationToken.None);
            return (code, output.ToString(), error.ToString());
        }

        var good = await RunAsync(Args("campaign", "send", TempFile($"codice_fiscale;nome;targa\n{citizen};Maria;AB123CD\n"), "--template", template.Id.ToString()));
        Assert.That(good.Code, Is.EqualTo(ExitCodes.Ok), good.Error);
        Assert.That(good.Output, Does.Contain(": COMPLETED").And.Contain("1 admitted").And.Contain("1 sent"));
        Assert.That(good.Error, Does.Contain("uploading [").And.Contain("uploaded: 1 rows accepted"), "progress on standard error");

        var mixed = await RunAsync(Args("campaign", "send", TempFile($"codice_fiscale;nome;targa\n{citizen};Maria;AB123CD\nRSSMRA85T10A562X;Anna;EF456GH\n"),
            "--template", template.Id.ToString()));
        Assert.That(mixed.Code, Is.EqualTo(ExitCodes.CompletedWithProblems), mixed.Error);
        Assert.That(mixed.Output, Does.Contain("row 3: codice_fiscale:"));

        var noHeader = await RunAsync(Args("campaign", "send", TempFile($"{citizen};Maria;AB123CD\n"), "--template", template.Id.ToString()));
        Assert.That(noHeader.Code, Is.EqualTo(ExitCodes.Refused));
        Assert.That(noHeader.Error, Does.Contain("Nothing was stored"));

        var waiting = await RunAsync(Args("campaign", "send", TempFile(string.Concat(Enumerable.Repeat($"{{\"codice_fiscale\":\"{citizen}\",\"nome\":\"M\",\"targa\":\"AB\"}}\n", 500)), ".jsonl"),
            "--template", template.Id.ToString(), "--no-wait"));
        Assert.That(waiting.Code, Is.EqualTo(ExitCodes.StillRunning), waiting.Error);
        var id = waiting.Output.Split(' ', ':')[1];
        var cancelled = await RunAsync(Args("campaign", "cancel", id));
        Assert.That(cancelled.Code, Is.EqualTo(ExitCodes.Cancelled), cancelled.Error);
        Assert.That(cancelled.Output, Does.Contain(": CANCELLED"));

        Assert.That((await RunAsync(Args("campaign", "send", "/no/such/file.csv", "--template", template.Id.ToString()))).Code, Is.EqualTo(ExitCodes.Usage));
        Assert.That((await RunAsync(Args("campaign", "status", Guid.NewGuid().ToString()))).Code, Is.EqualTo(ExitCodes.Refused));
    }
}
