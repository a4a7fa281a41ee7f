using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifiche.Dispatch.Ledger;
using Notifiche.Testing;

namespace Notifiche.Faults.Tests;

/// <summary>One notice the scenario means to send, with addresses used by no other notice so provider receipts map back to it.</summary>
public sealed record PlannedNotice(string IdempotencyKey, string FiscalCode, string Email, string? Phone, string? PushToken)
{
    public IEnumerable<(string Channel, string Address)> Channels =>
        Phone is null ? [("email", Email)] : [("email", Email), ("sms", Phone), ("push", PushToken!)];
}

/// <summary>
/// Provider calls in flight when a scenario killed a process mid-call: for a killed dispatcher, the claims its ledger
/// held <c>SENDING</c> at the kill and how many of those the provider had received (<paramref name="Received"/>, null
/// when not counted) — the only dispatches whose outcome may honestly be unknown.
/// </summary>
public sealed record InFlight(int Claims, int? Received)
{
    public static readonly InFlight None = new(0, 0);

    public static InFlight operator +(InFlight a, InFlight b) => new(a.Claims + b.Claims, a.Received + b.Received);

    public override string ToString() =>
        $"{Claims} in flight" + (Received is { } received ? $" ({received} of them received by the provider)" : string.Empty);
}

/// <summary>What reconciliation found for a scenario (DESIGN §7: lost = 0, duplicates reaching a provider = 0).</summary>
public sealed record LedgerLine(string Scenario, int Submitted, int Sent, int Failed, int Lost, int Duplicates, IReadOnlyList<string> Problems,
    IReadOnlyDictionary<string, int> FailureReasons, InFlight? InFlight = null)
{
    public override string ToString() =>
        $"ledger {Scenario}: submitted {Submitted} / sent {Sent} / failed {Failed} / lost {Lost} / duplicates {Duplicates}"
        + (InFlight is { } k ? $", {k}" : string.Empty)
        + (FailureReasons.Count == 0 ? string.Empty : $" (failed: {string.Join(", ", FailureReasons.Select(r => $"{r.Value}× {r.Key}"))})");
}

/// <summary>
/// A scenario's notices: one sending service of its own, citizens with profiles (for all three channels) or only a
/// default email, submitted as a careful PA integration does — with an <c>Idempotency-Key</c>, retrying until answered.
/// </summary>
public sealed class Batch
{
    private static int _phones;
    private readonly ConcurrentDictionary<string, Guid> _accepted = new();

    private Batch(string scenario, string serviceId, HttpClient service, IReadOnlyList<PlannedNotice> notices)
    {
        Scenario = scenario;
        ServiceId = serviceId;
        Service = service;
        Notices = notices;
    }

    public string Scenario { get; }
    public string ServiceId { get; }
    public HttpClient Service { get; }
    public IReadOnlyList<PlannedNotice> Notices { get; }
    public int Accepted => _accepted.Count;
    /// <summary>Answers other than 201/200 the integration had to retry (503 while storage was down, connection errors).</summary>
    public int Retries;

    public static async Task<Batch> CreateAsync(string scenario, int count, bool allChannels)
    {
        var stack = FaultStack.Current;
        var serviceId = $"fault-{scenario}-{Guid.NewGuid():N}"[..40];
        var service = await stack.RegisterServiceAsync(serviceId);
        var run = Guid.NewGuid().ToString("N")[..8];
        var notices = Enumerable.Range(0, count).Select(i => new PlannedNotice(
            $"{scenario}-{run}-{i}", Citizens.NewFiscalCode(), $"{scenario}-{run}-{i}@example.it",
            allChannels ? $"+39347{Interlocked.Increment(ref _phones):D7}" : null,
            allChannels ? $"token-{scenario}-{run}-{i}" : null)).ToList();
        if (allChannels)
        {
            using var preferences = stack.PreferencesClient();
            await Parallel.ForEachAsync(notices, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (n, ct) =>
            {
                var response = await preferences.PutAsJsonAsync($"/api/v1/profiles/{n.FiscalCode}", new
                {
                    email = n.Email, email_verified = true, phone = n.Phone, push_tokens = new[] { n.PushToken }, language = "it",
                }, ct);
                Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync(ct));
            });
        }

        return new Batch(scenario, serviceId, service, notices);
    }

    /// <summary>Submits every notice (a few at a time), retrying each until the gateway answers 201 or 200.</summary>
    public Task SubmitAllAsync(int concurrency = 4) => SubmitAsync(Notices, concurrency);

    public Task SubmitAsync(IEnumerable<PlannedNotice> notices, int concurrency = 4) =>
        Parallel.ForEachAsync(notices, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (n, _) => await SubmitOneAsync(n));

    public async Task<HttpResponseMessage> PostAsync(PlannedNotice notice)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notices") { Content = JsonContent.Create(Body(notice)) };
        request.Headers.Add("Idempotency-Key", notice.IdempotencyKey);
        return await Service.SendAsync(request);
    }

    public void Record(PlannedNotice notice, Guid id) => _accepted[notice.IdempotencyKey] = id;

    private async Task SubmitOneAsync(PlannedNotice notice)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            try
            {
                using var response = await PostAsync(notice);
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                {
                    Record(notice, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                    return;
                }

                Assert.That((int)response.StatusCode, Is.GreaterThanOrEqualTo(500),
                    $"only a server-side failure may be retried: {await response.Content.ReadAsStringAsync()}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The gateway was killed or restarting: the answer is unknown, so the integration retries with the same key.
            }

            Interlocked.Increment(ref Retries);
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{Scenario}: a notice was not accepted within 3 minutes of retries");
            }

            await Task.Delay(250);
        }
    }

    public static object Body(PlannedNotice n) => new
    {
        fiscal_code = n.FiscalCode,
        content = new
        {
            subject = "Il tuo referto è disponibile",
            markdown = "Gentile cittadino, il **referto** del tuo esame è disponibile nel fascicolo sanitario elettronico. "
                + "Consultalo su [fascicolo](https://example.it/fse).",
        },
        default_addresses = new { email = n.Email },
    };

    /// <summary>Waits until every accepted notice shows <paramref name="status"/> on <paramref name="channel"/>.</summary>
    public async Task WaitForChannelAsync(string channel, string status, TimeSpan timeout)
    {
        var ids = _accepted.Values.ToList();
        await Eventually.Until(async () =>
        {
            var statuses = await Task.WhenAll(ids.Select(id => Service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}")));
            return statuses.Count(s => ChannelOf(s, channel)?.GetProperty("status").GetString() == status);
        }, n => n == ids.Count, timeout, $"{Scenario}: every notice's {channel} {status}");
    }

    /// <summary>
    /// Waits until every planned channel of every accepted notice is final, then counts what the providers received:
    /// lost = a channel never final, or SENT without the provider having it; duplicates = a provider receiving one twice.
    /// </summary>
    public async Task<LedgerLine> ReconcileAsync(TimeSpan? timeout = null, InFlight? inFlight = null)
    {
        var stack = FaultStack.Current;
        var statuses = new Dictionary<Guid, JsonElement>();
        var planned = Notices.Where(n => _accepted.ContainsKey(n.IdempotencyKey)).ToList();
        // Generous: after a broker or dispatcher kill the redelivered work and its status events queue up behind each other
        // on a loaded CI machine; a lost message never becomes final however long this waits.
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(4));
        var pending = planned.ToList();
        while (pending.Count > 0 && DateTime.UtcNow < deadline)
        {
            foreach (var notice in pending.ToList())
            {
                var id = _accepted[notice.IdempotencyKey];
                try
                {
                    var status = await Service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}");
                    statuses[id] = status;
                    if (notice.Channels.All(c => IsFinal(ChannelOf(status, c.Channel))))
                    {
                        pending.Remove(notice);
                    }
                }
                catch (HttpRequestException)
                {
                    // The gateway is still recovering; ask again.
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(1000);
            }
        }

        if (pending.Count > 0)
        {
            TestContext.Out.WriteLine($"{Scenario}: {pending.Count} notices not final after reconciliation's deadline; the platform then:\n"
                + await stack.DescribeAsync(ServiceId));
        }

        var received = Receipts.Take();
        int sent = 0, failed = 0, lost = 0, duplicates = 0;
        var problems = new List<string>();
        var reasons = new Dictionary<string, int>();
        foreach (var notice in planned)
        {
            var id = _accepted[notice.IdempotencyKey];
            foreach (var (channel, address) in notice.Channels)
            {
                var times = received.Of(channel, address);
                duplicates += Math.Max(0, times - 1);
                if (times > 1)
                {
                    problems.Add($"{id} {channel}: the provider received it {times} times");
                }

                var state = statuses.TryGetValue(id, out var status) ? ChannelOf(status, channel) : null;
                switch (state?.GetProperty("status").GetString())
                {
                    case "SENT" when times >= 1:
                        sent++;
                        break;
                    case "FAILED" when state.Value.TryGetProperty("reason", out var reason) && reason.GetString() is { Length: > 0 } text:
                        failed++;
                        var key = text.Split(':')[0];
                        reasons[key] = reasons.GetValueOrDefault(key) + 1;
                        break;
                    default:
                        lost++;
                        problems.Add($"{id} {channel}: {state?.ToString() ?? "never planned"}, provider received {times}");
                        break;
                }
            }
        }

        var line = new LedgerLine(Scenario, planned.Count, sent, failed, lost, duplicates, problems, reasons, inFlight);
        Report(line);
        return line;
    }

    /// <summary>
    /// Run right after a dispatcher was killed: the claims its ledger still holds <c>SENDING</c> (the provider calls the
    /// kill interrupted) and how many of them the provider had received.
    /// </summary>
    public async Task<InFlight> InFlightAsync(string ledgerDatabase)
    {
        var claims = await FaultStack.Current.Database.RowsAsync(ledgerDatabase, "SELECT channel, address_key FROM dispatches WHERE state = 'SENDING'");
        var addresses = Notices.SelectMany(n => n.Channels)
            .ToDictionary(c => DispatchLedger.AddressKeyOf(TestDispatchLedger.AddressKey, c.Channel, c.Address), c => c);
        var received = Receipts.Take();
        return new InFlight(claims.Count, claims.Count(c => addresses.TryGetValue(c[1], out var a) && received.Of(a.Channel, a.Address) > 0));
    }

    /// <summary>What the SMTP server and the Twilio and FCM stubs have received, per address.</summary>
    private sealed record Receipts(Dictionary<string, int> Emails, Dictionary<string, int> Sms, Dictionary<string, int> Pushes)
    {
        public static Receipts Take()
        {
            var stack = FaultStack.Current;
            return new Receipts(
                stack.Smtp.Messages().SelectMany(m => m.To.Mailboxes.Select(to => to.Address.ToLowerInvariant())).GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count()),
                stack.Twilio.Accepted.GroupBy(r => r.To).ToDictionary(g => g.Key, g => g.Count()),
                stack.Fcm.Delivered.GroupBy(r => r.Token).ToDictionary(g => g.Key, g => g.Count()));
        }

        public int Of(string channel, string address) => channel switch
        {
            "email" => Emails.GetValueOrDefault(address.ToLowerInvariant()),
            "sms" => Sms.GetValueOrDefault(address),
            _ => Pushes.GetValueOrDefault(address),
        };
    }

    private static JsonElement? ChannelOf(JsonElement status, string channel) =>
        status.TryGetProperty("channels", out var channels)
            ? channels.EnumerateArray().Where(c => c.GetProperty("channel").GetString() == channel).Select(c => (JsonElement?)c).FirstOrDefault()
            : null;

    private static bool IsFinal(JsonElement? channel) =>
        channel?.GetProperty("status").GetString() is "SENT" or "FAILED" or "EXPIRED";

    private static void Report(LedgerLine line)
    {
        TestContext.Progress.WriteLine(line.ToString());
        TestContext.Out.WriteLine(line.ToString());
        foreach (var problem in line.Problems.Take(20))
        {
            TestContext.Out.WriteLine($"  {problem}");
        }

        // build.sh prints this file after the run, so the ledger lines are in the CI log whatever the logger shows.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var artifacts = Path.Combine(output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName, "artifacts");
        Directory.CreateDirectory(artifacts);
        File.AppendAllText(Path.Combine(artifacts, "fault-ledger.txt"), $"{DateTime.UtcNow:O} {line}\n");
    }
}
