using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Notifiche.Validation;

namespace Notifiche.Benchmark;

/// <summary>One POST /api/v1/notices as the load generator saw it (Stopwatch timestamps; the index of the gateway it went to).</summary>
public readonly record struct Submission(Guid Id, int Status, long Start, long End, int Gateway);

/// <summary>
/// Drives POST /api/v1/notices with N concurrent clients, realistic bodies, spread over citizens with profiles, and
/// round-robin over the gateways (request n to gateway n mod their number: an even spread, as a load balancer's).
/// </summary>
public sealed class LoadDriver(HttpClient http, IReadOnlyList<Uri> gateways, string apiKey, IReadOnlyList<string> citizens)
{
    private readonly Uri[] _endpoints = [.. gateways.Select(g => new Uri(g, "/api/v1/notices"))];

    private const string Markdown =
        "Gentile contribuente, ti ricordiamo che la **tassa automobilistica** (bollo auto) per il veicolo targato " +
        "{0} scade il **31/12/2026**. L'importo dovuto è di **{1},{2:00} euro**.\n\n" +
        "Puoi pagare online con pagoPA dal [portale dei tributi regionali](https://tributi.regione.example.it/bollo), " +
        "nelle tabaccherie, negli uffici postali e presso le agenzie di pratiche auto convenzionate. " +
        "Se hai già pagato, non tenere conto di questo avviso.\n\n" +
        "Per informazioni scrivi a tributi@regione.example.it o chiama il numero verde 800 000 000 " +
        "dal lunedì al venerdì, dalle 9 alle 13.";

    /// <summary>Valid codici fiscali (check character computed), distinct per index.</summary>
    public static IReadOnlyList<string> MakeCitizens(int count)
    {
        var codes = new List<string>(count);
        const string letters = "ABCDEFGHILMNOPRSTUVZ";
        for (var n = 0; n < count; n++)
        {
            var surname = $"{letters[n % 20]}{letters[n / 20 % 20]}{letters[n / 400 % 20]}";
            var year = (60 + n % 40).ToString("00");
            var month = "ABCDEHLMPRST"[n / 40 % 12];
            var day = (n / 480 % 28 + 1).ToString("00");
            var first15 = $"{surname}MRA{year}{month}{day}H501";
            codes.Add(first15 + FiscalCode.CheckCharacter(first15));
        }

        return codes;
    }

    public static string EmailOf(string fiscalCode) => $"{fiscalCode.ToLowerInvariant()}@cittadini.example.it";

    public static byte[] Body(int n, string fiscalCode)
    {
        var plate = $"G{(char)('A' + n % 26)}{n % 1000:000}{(char)('A' + n / 26 % 26)}{(char)('A' + n / 676 % 26)}";
        var body = new
        {
            fiscal_code = fiscalCode,
            content = new
            {
                subject = $"Bollo auto in scadenza il 31/12/2026 per il veicolo {plate}",
                markdown = string.Format(System.Globalization.CultureInfo.InvariantCulture, Markdown, plate, 100 + n % 300, n % 100),
                due_date = "2026-12-31",
            },
            category = "tributi",
        };
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    /// <summary>Sends <paramref name="count"/> notices with <paramref name="clients"/> concurrent clients; prints progress.</summary>
    public async Task<Submission[]> RunAsync(string label, int offset, int count, int clients, Func<string> progress, CancellationToken ct)
    {
        var results = new Submission[count];
        var next = -1;
        var done = 0;
        var started = Stopwatch.StartNew();

        async Task Client()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= count)
                {
                    return;
                }

                results[i] = await SendAsync(offset + i, Stopwatch.GetTimestamp(), ct);
                Interlocked.Increment(ref done);
            }
        }

        using var reporter = new CancellationTokenSource();
        var report = Task.Run(async () =>
        {
            while (!reporter.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), reporter.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var d = Volatile.Read(ref done);
                Console.WriteLine($"  {label}: {d:N0}/{count:N0} posted ({d / started.Elapsed.TotalSeconds:N0}/s){progress()}");
            }
        }, CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client, ct)));
        await reporter.CancelAsync();
        await report;
        return results;
    }

    /// <summary>
    /// Open loop: request i is due at start + i / rate whether or not earlier ones were answered (no client waits for
    /// another), and its latency counts from when it was due, so a slow answer cannot hide the requests queued behind it.
    /// </summary>
    public async Task<Submission[]> RunOpenLoopAsync(string label, int offset, int count, double rate, CancellationToken ct)
    {
        var sending = new Task<Submission>[count];
        var start = Stopwatch.GetTimestamp();
        var lastReport = start;
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, ct);
            }

            sending[i] = SendAsync(offset + i, due, ct);
            if (Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(5))
            {
                lastReport = Stopwatch.GetTimestamp();
                var answered = sending.Take(i + 1).Count(t => t.IsCompleted);
                Console.WriteLine($"  {label}: {i + 1:N0}/{count:N0} sent at {rate:N0}/s, {answered:N0} answered");
            }
        }

        return await Task.WhenAll(sending);
    }

    private async Task<Submission> SendAsync(int n, long t0, CancellationToken ct)
    {
        var gateway = n % _endpoints.Length;
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoints[gateway]) { Content = new ByteArrayContent(Body(n, citizens[n % citizens.Count])) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Api-Key", apiKey);
        try
        {
            using var response = await http.SendAsync(request, ct);
            var t1 = Stopwatch.GetTimestamp();
            var id = Guid.Empty;
            if (response.StatusCode == HttpStatusCode.Created)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
                id = json.RootElement.GetProperty("id").GetGuid();
            }

            return new Submission(id, (int)response.StatusCode, t0, t1, gateway);
        }
        catch (HttpRequestException)
        {
            return new Submission(Guid.Empty, 0, t0, Stopwatch.GetTimestamp(), gateway);
        }
    }

    public static string Describe(IEnumerable<Submission> submissions)
    {
        var byStatus = submissions.GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "no answer" : g.Key.ToString())}×{g.Count()}");
        return string.Join(", ", byStatus);
    }
}
