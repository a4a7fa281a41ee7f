using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Notifiche.Testing;
using Npgsql;

namespace Notifiche.EndToEnd.Tests;

/// <summary>What a service does to send one template to many citizens (issue 18, point 6), on the real hosts.</summary>
public static class CampaignApi
{
    public const string Markdown = "Gentile ((nome)), il bollo auto del veicolo targato ((targa)) scade il 31/01/2027.\n\nPuoi pagarlo su [pagoPA](https://example.it/pagopa).";

    public static async Task<Guid> CreateTemplateAsync(HttpClient service)
    {
        var response = await service.PostAsJsonAsync("/api/v1/templates", new
        {
            name = "Bollo auto", languages = new { it = new { subject = "Bollo auto per ((targa)) in scadenza", markdown = Markdown } },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static async Task<(string FiscalCode, string Email)> CreateProfileAsync()
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var email = $"campaign-{fiscalCode.ToLowerInvariant()}@example.it";
        var response = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", new
        {
            email, email_verified = true, language = "it", channels = new { email = true, sms = false, push = false },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (fiscalCode, email);
    }

    public static Task<HttpResponseMessage> UploadAsync(HttpClient service, Guid? template, byte[] file, string contentType = "text/csv")
    {
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return service.PostAsync(template is null ? "/api/v1/campaigns" : $"/api/v1/campaigns?template_id={template}", content);
    }

    public static async Task<JsonElement> StartAsync(HttpClient service, Guid template, string file, string contentType = "text/csv")
    {
        var response = await UploadAsync(service, template, Encoding.UTF8.GetBytes(file), contentType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body);
        var campaign = JsonDocument.Parse(body).RootElement;
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/campaigns/{campaign.GetProperty("id").GetGuid()}"));
        return campaign;
    }

    public static async Task<JsonElement> ProgressAsync(HttpClient service, Guid id) =>
        await service.GetFromJsonAsync<JsonElement>($"/api/v1/campaigns/{id}");

    public static Task<JsonElement> WaitForAsync(HttpClient service, Guid id, Func<JsonElement, bool> done, string what, TimeSpan? timeout = null) =>
        Eventually.Until(() => ProgressAsync(service, id), done, timeout ?? TimeSpan.FromSeconds(60), what);

    public static long Rows(JsonElement campaign, string count) => campaign.GetProperty("rows").GetProperty(count).GetInt64();

    public static long Notices(JsonElement campaign, string count) => campaign.GetProperty("notices").GetProperty(count).GetInt64();

    /// <summary>
    /// Cancels a campaign and waits until the rows it had already released are admitted: otherwise their notices would be
    /// stored while later specs run, and a spec that checks that nothing was stored would count them.
    /// </summary>
    public static async Task<HttpResponseMessage> CancelAsync(HttpClient service, Guid id)
    {
        var response = await service.PostAsync($"/api/v1/campaigns/{id}/cancel", null);
        await Eventually.Until(() => CountAsync("SELECT (rows_released - rows_recorded)::bigint FROM campaigns WHERE id = @p", id), inFlight => inFlight == 0,
            TimeSpan.FromSeconds(60), "the campaign's released rows admitted");
        return response;
    }

    /// <summary>Rows of a table of the gateway's database for one campaign (or for a service's campaigns).</summary>
    public static async Task<long> CountAsync(string sql, object parameter)
    {
        await using var connection = new NpgsqlConnection(Platform.Hosts.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("p", parameter);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

public class Sending_a_campaign
{
    [Test]
    public async Task Should_send_the_good_rows_of_a_semicolon_csv_with_a_bom_and_report_the_bad_ones_by_row_and_reason()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("tributi-campaign-csv");
        var template = await CampaignApi.CreateTemplateAsync(service);
        var (maria, mariaEmail) = await CampaignApi.CreateProfileAsync();
        var (luca, lucaEmail) = await CampaignApi.CreateProfileAsync();
        var csv = "codice_fiscale;targa;nome\r\n"
            + $"{maria};AB123CD;Maria Rossi\r\n"
            + "RSSMRA85T10A562X;EF456GH;Wrong Check\r\n"
            + $"{luca};IJ789KL\r\n"
            + "\r\n"
            + $"{luca.ToLowerInvariant()};MN012OP;\"Bianchi; Luca \"\"il Grande\"\"\"\r\n";

        var campaign = await CampaignApi.StartAsync(service, template, "\uFEFF" + csv);

        Assert.That(CampaignApi.Rows(campaign, "total"), Is.EqualTo(4));
        Assert.That(CampaignApi.Rows(campaign, "accepted"), Is.EqualTo(2));
        Assert.That(CampaignApi.Rows(campaign, "rejected"), Is.EqualTo(2));
        var rejections = campaign.GetProperty("rejections").EnumerateArray()
            .Select(r => (r.GetProperty("row").GetInt32(), r.GetProperty("reason").GetString()!)).ToList();
        Assert.That(rejections.Select(r => r.Item1), Is.EqualTo(new[] { 3, 4 }), "numbered as the file's lines, the header being line 1");
        Assert.That(rejections[0].Item2, Does.StartWith("codice_fiscale: "));
        Assert.That(rejections[1].Item2, Is.EqualTo("has 2 fields, the header has 3"));
        Assert.That(campaign.GetRawText(), Does.Not.Contain("RSSMRA85T10A562X").And.Not.Contain("Wrong Check"), "no personal value echoed");

        var id = campaign.GetProperty("id").GetGuid();
        var done = await CampaignApi.WaitForAsync(service, id, c => c.GetProperty("status").GetString() == "COMPLETED", "campaign completed");
        Assert.That(CampaignApi.Rows(done, "admitted"), Is.EqualTo(2));
        Assert.That(CampaignApi.Rows(done, "pending"), Is.Zero);
        Assert.That(CampaignApi.Notices(done, "routed"), Is.EqualTo(2));
        Assert.That(CampaignApi.Notices(done, "sent"), Is.EqualTo(2));
        Assert.That(CampaignApi.Notices(done, "failed"), Is.Zero);
        var toMaria = await Eventually.Until(() => Task.FromResult(Platform.Hosts.Smtp.MessagesTo(mariaEmail)), m => m.Count == 1, what: "Maria's email");
        Assert.That(toMaria.Single().Subject, Is.EqualTo("Bollo auto per AB123CD in scadenza"));
        var toLuca = await Eventually.Until(() => Task.FromResult(Platform.Hosts.Smtp.MessagesTo(lucaEmail)), m => m.Count == 1, what: "Luca's email");
        Assert.That(toLuca.Single().TextBody, Does.Contain("Gentile Bianchi; Luca \"il Grande\", il bollo auto del veicolo targato MN012OP"));
        Assert.That(await CampaignApi.CountAsync("SELECT COUNT(*) FROM campaign_rows WHERE campaign_id = @p", id), Is.Zero,
            "the rows' personal data is deleted once admitted");
    }

    [Test]
    public async Task Should_take_json_lines_and_a_comma_separated_csv()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("tributi-campaign-jsonl");
        var template = await CampaignApi.CreateTemplateAsync(service);
        var (maria, _) = await CampaignApi.CreateProfileAsync();

        var jsonLines = await CampaignApi.StartAsync(service, template,
            $"{{\"codice_fiscale\":\"{maria}\",\"nome\":\"Maria\",\"targa\":\"AB123CD\"}}\n"
            + $"{{\"codice_fiscale\":\"{maria}\",\"nome\":\"Maria\",\"targa\":7}}\n"
            + $"{{\"codice_fiscale\":\"{maria}\",\"nome\":\"Maria\"}}\n", "application/x-ndjson");
        Assert.That(CampaignApi.Rows(jsonLines, "accepted"), Is.EqualTo(1));
        Assert.That(jsonLines.GetProperty("rejections").EnumerateArray().Select(r => $"{r.GetProperty("row").GetInt32()} {r.GetProperty("reason").GetString()}"),
            Is.EqualTo(new[] { "2 targa: must be a string", "3 targa: is required by the template" }));

        var comma = await CampaignApi.StartAsync(service, template, $"codice_fiscale,nome,targa\n{maria},Maria,AB123CD\n{maria},\"Rossi, Maria\",EF456GH\n");
        Assert.That(CampaignApi.Rows(comma, "accepted"), Is.EqualTo(2));
        var done = await CampaignApi.WaitForAsync(service, comma.GetProperty("id").GetGuid(), c => CampaignApi.Notices(c, "sent") == 2, "comma campaign sent");
        Assert.That(done.GetProperty("status").GetString(), Is.EqualTo("COMPLETED"));
    }

    [Test]
    public async Task Should_answer_400_and_store_nothing_for_a_file_that_is_no_campaign_file()
    {
        const string serviceId = "tributi-campaign-bad-files";
        var service = await Platform.Hosts.RegisterServiceAsync(serviceId);
        var template = await CampaignApi.CreateTemplateAsync(service);
        var good = Citizens.NewFiscalCode();

        async Task<string> ProblemAsync(byte[] file, string contentType = "text/csv", HttpStatusCode status = HttpStatusCode.BadRequest, Guid? templateId = null)
        {
            var response = await CampaignApi.UploadAsync(service, templateId ?? template, file, contentType);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(status), body);
            return body;
        }

        byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

        Assert.That(await ProblemAsync(Utf8($"{good};Maria;AB123CD\n")), Does.Contain("\"header\"").And.Contain("codice_fiscale"), "no header row");
        Assert.That(await ProblemAsync(Utf8($"codice_fiscale;nome\n{good};Maria\n")), Does.Contain("lacks the template's placeholders targa"));
        Assert.That(await ProblemAsync(Utf8($"codice_fiscale;nome;targa;iban\n{good};Maria;AB123CD;IT60X\n")), Does.Contain("iban, which is not a placeholder"));
        Assert.That(await ProblemAsync(Utf8("codice_fiscale;nome;targa\n")), Does.Contain("has no rows"));
        Assert.That(await ProblemAsync([.. Utf8($"codice_fiscale;nome;targa\n{good};Nicol"), 0xF2, .. Utf8(";AB123CD\n")]), Does.Contain("is not UTF-8"),
            "Latin-1 is refused, not read as mojibake");
        Assert.That(await ProblemAsync(Utf8($"codice_fiscale;nome;targa\n{good};\"Maria;AB123CD\n")), Does.Contain("never closed"));
        Assert.That(await ProblemAsync(Utf8($"{{\"codice_fiscale\":\"{good}\",\"nome\":\"M\",\"targa\":\"AB\"}}\nnome,targa\n"), "application/x-ndjson"),
            Does.Contain("line 2 is not JSON"));
        var tooMany = new StringBuilder("codice_fiscale;nome;targa\n");
        for (var i = 0; i <= 100_000; i++)
        {
            tooMany.Append(good).Append(";Maria;AB123CD\n");
        }

        Assert.That(await ProblemAsync(Utf8(tooMany.ToString())), Does.Contain("more than 100000 rows"));
        Assert.That(await ProblemAsync(Utf8("%PDF-1.7"), "application/pdf", HttpStatusCode.UnsupportedMediaType), Does.Contain("text/csv"));
        Assert.That(await ProblemAsync(Utf8($"codice_fiscale;nome;targa\n{good};Maria;AB123CD\n"), templateId: Guid.NewGuid()), Does.Contain("template_id"));

        Assert.That(await CampaignApi.CountAsync("SELECT COUNT(*) FROM campaigns WHERE service_id = @p", serviceId), Is.Zero);
        Assert.That(await CampaignApi.CountAsync(
            "SELECT COUNT(*) FROM campaign_rows r JOIN campaigns c ON c.id = r.campaign_id WHERE c.service_id = @p", serviceId), Is.Zero);
    }

    [Test]
    public async Task Should_drop_the_rows_not_yet_admitted_when_cancelled()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("tributi-campaign-cancel");
        var template = await CampaignApi.CreateTemplateAsync(service);
        var (maria, _) = await CampaignApi.CreateProfileAsync();
        var campaign = await CampaignApi.StartAsync(service, template,
            "codice_fiscale;nome;targa\n" + string.Concat(Enumerable.Repeat($"{maria};Maria;AB123CD\n", 2_000)));
        var id = campaign.GetProperty("id").GetGuid();

        var response = await CampaignApi.CancelAsync(service, id);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var cancelled = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(cancelled.GetProperty("status").GetString(), Is.EqualTo("CANCELLED"));
        Assert.That(CampaignApi.Rows(cancelled, "cancelled"), Is.GreaterThan(1_000), "most rows were still waiting");
        // Rows already released when it was cancelled (at most Gateway:Campaigns:InFlight) are admitted; nothing else is.
        var settled = await CampaignApi.ProgressAsync(service, id);
        Assert.That(CampaignApi.Rows(settled, "pending"), Is.Zero);
        Assert.That(CampaignApi.Rows(settled, "cancelled"), Is.EqualTo(CampaignApi.Rows(cancelled, "cancelled")));
        Assert.That(CampaignApi.Rows(settled, "admitted") + CampaignApi.Rows(settled, "refused") + CampaignApi.Rows(settled, "cancelled"),
            Is.EqualTo(2_000));
        Assert.That(await CampaignApi.CountAsync("SELECT COUNT(*) FROM campaign_rows WHERE campaign_id = @p", id), Is.Zero);
        var again = await (await service.PostAsync($"/api/v1/campaigns/{id}/cancel", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(again.GetProperty("cancelled_at").GetString(), Is.EqualTo(cancelled.GetProperty("cancelled_at").GetString()));
        var other = await Platform.Hosts.RegisterServiceAsync("tributi-campaign-cancel-other");
        Assert.That((await other.GetAsync($"/api/v1/campaigns/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Should_report_the_rows_over_the_daily_quota_as_refused()
    {
        const string serviceId = "tributi-campaign-quota";
        var service = await Platform.Hosts.RegisterServiceAsync(serviceId);
        await Platform.Hosts.OperatorAsync<JsonElement>(HttpMethod.Patch, $"/api/v1/admin/services/{serviceId}", new { daily_notice_quota = 3 });
        var template = await CampaignApi.CreateTemplateAsync(service);
        var (maria, _) = await CampaignApi.CreateProfileAsync();

        var campaign = await CampaignApi.StartAsync(service, template,
            "codice_fiscale;nome;targa\n" + string.Concat(Enumerable.Repeat($"{maria};Maria;AB123CD\n", 5)));

        var done = await CampaignApi.WaitForAsync(service, campaign.GetProperty("id").GetGuid(),
            c => c.GetProperty("status").GetString() == "COMPLETED", "campaign completed");
        Assert.That(CampaignApi.Rows(done, "admitted"), Is.EqualTo(3));
        Assert.That(CampaignApi.Rows(done, "refused"), Is.EqualTo(2));
        Assert.That(done.GetProperty("refusals").EnumerateArray().Select(r => r.GetProperty("reason").GetString()).Distinct(),
            Is.EqualTo(new[] { "DAILY_QUOTA_REACHED" }));
    }
}

/// <summary>
/// A campaign never starves single notices: its rows are admitted only while few of its notices are in flight, so a single
/// notice sent during a campaign of thousands of rows is delivered long before the campaign is.
/// </summary>
public class A_single_notice_during_a_campaign
{
    [Test]
    public async Task Should_be_sent_while_most_of_the_campaign_still_waits()
    {
        const int rows = 3_000;
        var service = await Platform.Hosts.RegisterServiceAsync("tributi-campaign-fairness");
        var template = await CampaignApi.CreateTemplateAsync(service);
        var citizens = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            citizens.Add((await CampaignApi.CreateProfileAsync()).FiscalCode);
        }

        var clock = Stopwatch.StartNew();
        var campaign = await CampaignApi.StartAsync(service, template,
            "codice_fiscale;nome;targa\n" + string.Concat(Enumerable.Range(0, rows).Select(i => $"{citizens[i % citizens.Count]};Maria;AB{i:D5}\n")));
        var uploaded = clock.Elapsed;
        var id = campaign.GetProperty("id").GetGuid();
        // The campaign is under way: its notices are in the pipeline ahead of the single one.
        var running = await CampaignApi.WaitForAsync(service, id, c => CampaignApi.Notices(c, "sent") >= 10, "campaign sending");

        var single = await Platform.Hosts.RegisterServiceAsync("anagrafe-single-during-campaign");
        var (citizen, _) = await CampaignApi.CreateProfileAsync();
        var submittedAt = clock.Elapsed;
        var noticeId = await NoticeApi.SubmitAsync(single, new
        {
            fiscal_code = citizen, content = new { subject = "La tua carta d'identità è pronta", markdown = CampaignApi.Markdown.Replace("((nome))", "Luca").Replace("((targa))", "XY") },
        });
        await NoticeApi.WaitForChannelAsync(single, noticeId, "email", "SENT", TimeSpan.FromSeconds(60));
        var latency = clock.Elapsed - submittedAt;
        var progress = await CampaignApi.ProgressAsync(service, id);
        var admittedMeanwhile = CampaignApi.Rows(progress, "admitted") - CampaignApi.Rows(running, "admitted");
        TestContext.Out.WriteLine($"campaign of {rows} rows: upload {uploaded.TotalMilliseconds:0} ms; single notice accepted→SENT in "
            + $"{latency.TotalMilliseconds:0} ms, while the campaign admitted {admittedMeanwhile} rows "
            + $"({admittedMeanwhile / latency.TotalSeconds:0.0} rows/s) and had {CampaignApi.Rows(progress, "pending")} still waiting");

        await CampaignApi.CancelAsync(service, id);
        Assert.That(CampaignApi.Rows(progress, "pending"), Is.GreaterThan(rows / 2),
            "the single notice did not wait for the campaign: most of the campaign was still waiting when it was sent");
    }
}
