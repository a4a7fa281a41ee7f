using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Notifiche.Benchmark;

/// <summary>
/// Phase (6), <c>--campaign-rows N</c> (issue 18 point 6): one campaign of N rows over the benchmark's citizens, uploaded
/// as a CSV to <c>POST /api/v1/campaigns</c>, with a single notice sent every second while it runs. Reports the upload,
/// the campaign's rate from upload to its last SENT, and a single notice's 201 → SMTP-sink latency during the campaign
/// beside the same latency measured just before it (the baseline of the same run). Reconciled on its own: each admitted
/// row at the sink exactly once.
/// </summary>
internal static class CampaignPhase
{
    public sealed record Result(
        int Rows, double UploadSeconds, double Seconds, double RowsPerSecond, long Admitted, long Sent, long Failed,
        List<double> SingleBefore, List<double> SingleDuring, int SinglesLost, int CampaignLost, int CampaignDuplicates,
        IReadOnlyDictionary<string, long> PeakQueues, bool TimedOut);

    private const string Markdown =
        "Gentile ((nome)), il bollo auto del veicolo targato ((targa)) scade il 31/01/2027.\n\nPuoi pagarlo su [pagoPA](https://example.it/pagopa).";

    public static async Task<Result> RunAsync(
        HttpClient http, BenchTarget target, string apiKey, LoadDriver driver, IReadOnlyList<string> citizens, int rows, int offset,
        Func<CancellationToken, Task<IReadOnlyDictionary<string, long>>> samplePeaks, TimeSpan timeout, CancellationToken ct)
    {
        var sink = target.Smtp.Received;
        var template = await CreateTemplateAsync(http, target, apiKey, ct);

        // The baseline: single notices one at a time on the idle pipeline, as during the campaign below.
        var before = new List<Submission>();
        for (var i = 0; i < 10; i++)
        {
            before.AddRange(await driver.RunAsync("single", offset++, 1, 1, () => string.Empty, ct));
            await WaitAtSinkAsync(sink, before[^1], TimeSpan.FromSeconds(30), ct);
        }

        var csv = new StringBuilder("codice_fiscale;nome;targa\n", rows * 40);
        for (var i = 0; i < rows; i++)
        {
            csv.Append(citizens[i % citizens.Count]).Append(";Mario;AB").Append(i.ToString("D6")).Append('\n');
        }

        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var peaks = samplePeaks(sampling.Token);
        var started = Stopwatch.GetTimestamp();
        var id = await UploadAsync(http, target, apiKey, template, Encoding.UTF8.GetBytes(csv.ToString()), ct);
        var uploaded = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine($"  campaign {id}: {rows:N0} rows uploaded in {uploaded:N1} s; a single notice every second meanwhile");

        var during = new List<Submission>();
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var lastReport = Stopwatch.GetTimestamp();
        JsonElement progress;
        var timedOut = false;
        while (true)
        {
            var tick = Task.Delay(TimeSpan.FromSeconds(1), ct);
            during.AddRange(await driver.RunAsync("single", offset++, 1, 1, () => string.Empty, ct));
            progress = await ProgressAsync(http, target, apiKey, id, ct);
            var (pending, sent, failed, accepted) = (Count(progress, "rows", "pending"), Count(progress, "notices", "sent"),
                Count(progress, "notices", "failed"), Count(progress, "rows", "accepted") - Count(progress, "rows", "refused"));
            if (pending == 0 && sent + failed >= accepted)
            {
                break;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                Console.WriteLine($"  campaign: TIMEOUT after {timeout.TotalMinutes:N0} min");
                timedOut = true;
                break;
            }

            if (Stopwatch.GetElapsedTime(lastReport).TotalSeconds >= 5)
            {
                lastReport = Stopwatch.GetTimestamp();
                Console.WriteLine($"  campaign: {sent:N0}/{accepted:N0} sent, {pending:N0} rows waiting ({Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s)");
            }

            await tick;
        }

        var done = Stopwatch.GetTimestamp();
        await sampling.CancelAsync();
        var peakQueues = await peaks;
        foreach (var single in during)
        {
            await WaitAtSinkAsync(sink, single, TimeSpan.FromSeconds(60), ct);
        }

        var noticeIds = await CampaignNoticesAsync(target, id, ct);
        var seconds = Stopwatch.GetElapsedTime(started, done).TotalSeconds;
        return new Result(
            rows, uploaded, seconds, noticeIds.Count / seconds, Count(progress, "rows", "admitted"), Count(progress, "notices", "sent"),
            Count(progress, "notices", "failed"), Latencies(sink, before), Latencies(sink, during),
            before.Concat(during).Count(s => s.Status != 201 || !sink.ContainsKey(s.Id)),
            noticeIds.Count(n => !sink.ContainsKey(n)), noticeIds.Sum(n => sink.TryGetValue(n, out var r) ? r.Count - 1 : 0),
            peakQueues, timedOut);
    }

    private static List<double> Latencies(System.Collections.Concurrent.ConcurrentDictionary<Guid, (int Count, long FirstAt)> sink, List<Submission> singles) =>
        [.. singles.Where(s => s.Status == 201 && sink.ContainsKey(s.Id)).Select(s => Stopwatch.GetElapsedTime(s.End, sink[s.Id].FirstAt).TotalMilliseconds)];

    private static long Count(JsonElement campaign, string group, string name) => campaign.GetProperty(group).GetProperty(name).GetInt64();

    private static async Task WaitAtSinkAsync(System.Collections.Concurrent.ConcurrentDictionary<Guid, (int Count, long FirstAt)> sink, Submission single,
        TimeSpan timeout, CancellationToken ct)
    {
        var until = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (single.Status == 201 && !sink.ContainsKey(single.Id) && Stopwatch.GetTimestamp() < until)
        {
            await Task.Delay(5, ct);
        }
    }

    private static async Task<Guid> CreateTemplateAsync(HttpClient http, BenchTarget target, string apiKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target.GatewayAddress, "/api/v1/templates"))
        {
            Content = JsonContent.Create(new
            {
                name = "Bollo auto", languages = new { it = new { subject = "Bollo auto per ((targa)) in scadenza", markdown = Markdown } },
            }),
        };
        request.Headers.Add("X-Api-Key", apiKey);
        using var response = await http.SendAsync(request, ct);
        return (await ReadAsync(response, HttpStatusCode.Created, "POST /api/v1/templates", ct)).GetProperty("id").GetGuid();
    }

    private static async Task<Guid> UploadAsync(HttpClient http, BenchTarget target, string apiKey, Guid template, byte[] file, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target.GatewayAddress, $"/api/v1/campaigns?template_id={template}"))
        {
            Content = new ByteArrayContent(file) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } },
        };
        request.Headers.Add("X-Api-Key", apiKey);
        using var response = await http.SendAsync(request, ct);
        return (await ReadAsync(response, HttpStatusCode.Accepted, "POST /api/v1/campaigns", ct)).GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> ProgressAsync(HttpClient http, BenchTarget target, string apiKey, Guid id, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target.GatewayAddress, $"/api/v1/campaigns/{id}"));
        request.Headers.Add("X-Api-Key", apiKey);
        using var response = await http.SendAsync(request, ct);
        return await ReadAsync(response, HttpStatusCode.OK, "GET /api/v1/campaigns/{id}", ct);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected, string what, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}, not {(int)expected}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<List<Guid>> CampaignNoticesAsync(BenchTarget target, Guid campaign, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(target.GatewayDatabase.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT notice_id FROM campaign_notices WHERE campaign_id = @id AND notice_id IS NOT NULL", connection);
        command.Parameters.AddWithValue("id", campaign);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}
