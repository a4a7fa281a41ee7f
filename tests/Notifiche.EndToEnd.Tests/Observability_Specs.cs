using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Notifiche.Gateway.Observability;
using Notifiche.ServiceDefaults;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

public class Counting_notices_in_the_metrics
{
    internal static async Task<double> MetricAsync(string name, params string[] labels)
    {
        var text = await Platform.Hosts.Management.GetStringAsync("/metrics");
        return text.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l.Contains))
            .Select(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))
            .Sum();
    }

    [Test]
    public async Task Should_expose_accepted_routed_and_sent_counts_and_the_latency_per_service_and_channel()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("metrics-anagrafe");
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await NoticeApi.SubmitAsync(service, NoticeApi.Body($"metrics-{Guid.NewGuid():N}@example.it")));
        }

        var unknown = await NoticeApi.SubmitAsync(service, NoticeApi.Body());
        foreach (var id in ids)
        {
            await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT");
        }

        await Eventually.Until(() => NoticeApi.StatusAsync(service, unknown), s => s.GetProperty("status").GetString() == "REJECTED");
        const string svc = "service_id=\"metrics-anagrafe\"";
        await Eventually.Until(() => MetricAsync("notifiche_notices_accepted_total", svc), v => v == 4, what: "accepted = 4");
        Assert.That(await MetricAsync("notifiche_notices_routed_total", svc, "status=\"PROCESSED\""), Is.EqualTo(3));
        Assert.That(await MetricAsync("notifiche_notices_routed_total", svc, "status=\"REJECTED\"", "reason=\"USER_NOT_FOUND\""), Is.EqualTo(1));
        Assert.That(await MetricAsync("notifiche_dispatches_total", "channel=\"email\"", "status=\"SENT\""), Is.GreaterThanOrEqualTo(3));
        Assert.That(await MetricAsync("notifiche_delivery_latency_seconds_count", "channel=\"email\""), Is.GreaterThanOrEqualTo(3));
        var metrics = await Platform.Hosts.Management.GetStringAsync("/metrics");
        Assert.That(metrics, Does.Contain("notifiche_outbox_backlog"));
        Assert.That(metrics, Does.Not.Contain(NoticeApi.FiscalCode));
    }
}

public class Bucketing_latencies_in_seconds
{
    /// <summary>Every histogram in seconds on a scrape: family name to its bucket boundaries (the <c>le</c> values but +Inf).</summary>
    private static Dictionary<string, SortedSet<double>> HistogramsInSeconds(string metrics) =>
        metrics.Split('\n')
            .Select(l => Regex.Match(l, "^([a-z_]+_seconds)_bucket\\{.*le=\"([^\"]+)\""))
            .Where(m => m.Success && m.Groups[2].Value != "+Inf")
            .GroupBy(m => m.Groups[1].Value)
            .ToDictionary(g => g.Key, g => new SortedSet<double>(g.Select(m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))));

    [Test]
    public async Task Should_bucket_every_histogram_in_seconds_on_a_second_scale()
    {
        // A histogram in seconds that advises no buckets, on a meter the services export: the platform's view buckets it.
        using var meter = new Meter(GatewayMetrics.MeterName);
        meter.CreateHistogram<double>("notifiche.specs.unadvised", "s").Record(0.3);
        var service = await Platform.Hosts.RegisterServiceAsync("buckets-anagrafe");
        var id = await NoticeApi.SubmitAsync(service, NoticeApi.Body($"buckets-{Guid.NewGuid():N}@example.it"));
        await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT");

        var histograms = HistogramsInSeconds(await Platform.Hosts.Management.GetStringAsync("/metrics"));

        TestContext.Out.WriteLine(string.Join("\n", histograms.Select(h => $"{h.Key}: {string.Join(", ", h.Value)}")));
        Assert.That(histograms.Keys, Is.SupersetOf(new[]
        {
            "notifiche_delivery_latency_seconds", "http_server_request_duration_seconds", "http_client_request_duration_seconds",
            "db_client_operation_duration_seconds", "db_client_connection_npgsql_create_time_seconds",
        }));
        Assert.That(histograms["notifiche_delivery_latency_seconds"], Is.EqualTo(GatewayMetrics.DeliveryLatencyBoundaries).And.Contains(60),
            "the delivery SLO is read at le=\"60\"");
        Assert.That(histograms["notifiche_specs_unadvised_seconds"], Is.EqualTo(SecondsHistograms.DefaultBoundaries),
            "a histogram that advises no buckets gets the platform's seconds buckets");
        Assert.Multiple(() =>
        {
            // OpenTelemetry's default (millisecond) boundaries run 0, 5, 10, … 10000: no sub-second bucket, and 10000 s.
            foreach (var (name, boundaries) in histograms)
            {
                Assert.That(boundaries.Any(b => b is > 0 and < 1), Is.True, $"{name} has sub-second buckets");
                Assert.That(boundaries.Max, Is.LessThanOrEqualTo(3600), $"{name} ends within an hour");
            }
        });
    }

    [Test]
    public async Task Should_expose_runtime_process_and_npgsql_pool_metrics()
    {
        var metrics = await Platform.Hosts.Management.GetStringAsync("/metrics");
        var names = metrics.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => Regex.Match(l, "^[a-z_]+").Value).ToHashSet();

        Assert.That(names, Has.Some.StartsWith("dotnet_gc_"), "System.Runtime: garbage collector");
        Assert.That(names, Has.Some.StartsWith("dotnet_thread_pool_"), "System.Runtime: thread pool");
        Assert.That(names, Has.Some.StartsWith("dotnet_process_memory_working_set"), "System.Runtime: the process's memory");
        Assert.That(names, Has.Some.StartsWith("dotnet_process_cpu_time"), "System.Runtime: the process's CPU time");
        Assert.That(names, Has.Some.StartsWith("db_client_connection_count"), "Npgsql: connections per pool and state");
        Assert.That(names, Has.Some.StartsWith("db_client_connection_max"), "Npgsql: each pool's maximum");
    }
}

public class Following_one_notice_in_one_trace
{
    [Test]
    public async Task Should_connect_gateway_relay_preferences_dispatcher_and_status_update_in_one_trace()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "MassTransit" or "Notifiche" or "Microsoft.AspNetCore" or "MailKit.Net.SmtpClient",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        var service = await Platform.Hosts.RegisterServiceAsync("trace-anagrafe");
        // Status changes are announced (through the outbox) only for a service with a callback; it is removed at the end,
        // so that the callback consumer stops trying this address.
        (await service.PutAsJsonAsync("/api/v1/callback", new { url = "http://127.0.0.1:9/trace-callback", secret = new string('s', 32) }))
            .EnsureSuccessStatusCode();

        var address = $"trace-{Guid.NewGuid():N}@example.it";
        Guid id;
        try
        {
            id = await NoticeApi.SubmitAsync(service, NoticeApi.Body(address));
            await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT");
        }
        finally
        {
            (await service.DeleteAsync("/api/v1/callback")).EnsureSuccessStatusCode();
        }

        // The last spans (the gateway consuming NotificationSent) end a moment after the status is visible.
        List<Activity> trace = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            lock (activities)
            {
                var post = activities.FirstOrDefault(a => a.Kind == ActivityKind.Server && a.GetTagItem("http.request.method") as string == "POST"
                    && activities.Any(o => o.TraceId == a.TraceId && o.DisplayName.Contains("NotificationSent")));
                trace = post is null ? [] : [.. activities.Where(a => a.TraceId == post.TraceId)];
            }

            if (trace.Any(a => a.DisplayName.Contains("NotificationSent") && a.Kind == ActivityKind.Consumer))
            {
                break;
            }
        }

        var names = trace.Select(a => a.DisplayName).ToList();
        TestContext.Out.WriteLine(string.Join("\n", trace.Select(a => $"{a.Source.Name} {a.DisplayName} {a.Kind}")));
        Assert.That(names, Has.Some.EqualTo("outbox publish"));
        Assert.That(names, Has.Some.Contains("NoticeSubmitted"));
        Assert.That(names, Has.Some.Contains("SendEmail"));
        Assert.That(names, Has.Some.Contains("NotificationSent"));
        // Each hop's consumer span carries the notice id: a trace can be found by it.
        foreach (var queue in new[] { "notice-submitted", "notice-routed", "send-email", "notification-sent" })
        {
            Assert.That(trace.Where(a => a.Kind == ActivityKind.Consumer && a.DisplayName.StartsWith(queue + " ", StringComparison.Ordinal))
                .Select(a => a.GetTagItem("notifiche.notice_id")), Has.Some.EqualTo(id.ToString()), queue);
        }

        Assert.That(trace.Single(a => a.Kind == ActivityKind.Server).GetTagItem("notifiche.notice_id"), Is.EqualTo(id.ToString()));
        Assert.That(trace.Where(a => a.Source.Name == "MailKit.Net.SmtpClient"), Is.Not.Empty, "the SMTP conversation is in the trace");
        var values = trace.SelectMany(a => a.TagObjects.Select(t => $"{t.Key}={t.Value}")).Concat(trace.Select(a => a.DisplayName)).ToList();
        Assert.That(values.Where(v => v.Contains(address, StringComparison.OrdinalIgnoreCase) || v.Contains(NoticeApi.FiscalCode)), Is.Empty,
            "no address or codice fiscale in span names or attributes");
        var spanIds = trace.Select(a => a.SpanId).ToHashSet();
        // The only span whose parent is not among them is the gateway's HTTP request (its parent is the test's HttpClient call).
        var orphans = trace.Where(a => !spanIds.Contains(a.ParentSpanId)).ToList();
        Assert.That(orphans, Has.Count.EqualTo(1));
        Assert.That(orphans[0].Kind, Is.EqualTo(ActivityKind.Server));
        // The notice and its ACCEPTED status change (for status callbacks) leave through the outbox in the request's trace;
        // the later status changes through the outbox in the trace of the consumer that stored them.
        var outboxPublishes = trace.Where(a => a.DisplayName == "outbox publish").ToList();
        Assert.That(outboxPublishes.Count(a => a.ParentSpanId == orphans[0].SpanId), Is.EqualTo(2),
            "the relay continues the request's trace through the outbox row");
        Assert.That(outboxPublishes.Where(a => a.ParentSpanId != orphans[0].SpanId).Select(a => trace.Single(p => p.SpanId == a.ParentSpanId).Kind),
            Is.Not.Empty.And.All.EqualTo(ActivityKind.Consumer), "status changes stored by consumers continue their consumer's trace");
    }
}

public class Keeping_personal_data_out_of_logs
{
    [Test]
    public async Task Should_log_no_codice_fiscale_address_phone_token_or_subject_in_a_full_run()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("privacy-tributi", "email", "sms", "push");
        var fiscalCode = Citizens.NewFiscalCode();
        var email = $"privato-{Guid.NewGuid():N}@example.it";
        var token = $"secret-device-{Guid.NewGuid():N}";
        var subject = $"Oggetto riservato {Guid.NewGuid():N}";
        var profile = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}",
            new { email, email_verified = true, phone = "+39 333 765 4321", push_tokens = new[] { token } });
        Assert.That(profile.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var id = await NoticeApi.SubmitAsync(service, NoticeApi.Body(subject: subject, fiscalCode: fiscalCode));
        foreach (var channel in new[] { "email", "sms", "push" })
        {
            await NoticeApi.WaitForChannelAsync(service, id, channel, "SENT");
        }

        var lines = LogCapture.Instance.Lines.ToList();
        Assert.That(lines, Is.Not.Empty);
        foreach (var secret in new[] { fiscalCode, email, "3337654321", token, subject })
        {
            Assert.That(lines.Where(l => l.Contains(secret, StringComparison.OrdinalIgnoreCase)), Is.Empty, $"'{secret}' was logged");
        }
    }
}

/// <summary>Outages of the shared platform's database and broker: each spec restores what it breaks, whatever happens.</summary>
public class Reporting_readiness
{
    private static async Task<HttpStatusCode> ReadyAsync() => (await Platform.Hosts.Management.GetAsync("/health/ready")).StatusCode;

    private static async Task<HttpStatusCode> BusAsync() => (await Platform.Hosts.Management.GetAsync("/health/bus")).StatusCode;

    /// <summary>The answer's checks by name: (status, whether it decides the answer).</summary>
    private static async Task<(string Body, Dictionary<string, (string Status, bool Decides)> Checks)> AnswerAsync(string path)
    {
        var response = await Platform.Hosts.Management.GetAsync(path);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), path);
        var body = await response.Content.ReadAsStringAsync();
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return (body, json.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => (c.GetProperty("status").GetString()!, c.GetProperty("decides").GetBoolean())));
    }

    private static void AssertNothingSecret(string body)
    {
        foreach (var secret in new[] { "Password", "Username", "Host=", "127.0.0.1", "localhost", "Exception", Platform.Hosts.Vhost.Name })
        {
            Assert.That(body, Does.Not.Contain(secret).IgnoreCase, $"the health answer shows '{secret}'");
        }
    }

    [Test]
    public async Task Should_name_every_check_and_its_state_in_json_with_only_the_database_deciding_readiness()
    {
        var (body, checks) = await AnswerAsync("/health/ready");
        Assert.That(checks["gateway-db"], Is.EqualTo(("Healthy", true)));
        Assert.That(checks["masstransit-bus"], Is.EqualTo(("Healthy", false)), "reported, not deciding");
        Assert.That(checks["outbox"], Is.EqualTo(("Healthy", false)), "reported, not deciding");
        Assert.That(body, Does.Contain("\"status\":\"Healthy\""));
        AssertNothingSecret(body);
        Assert.That((await AnswerAsync("/health/bus")).Checks.Keys, Is.EquivalentTo(new[] { "masstransit-bus" }));
        Assert.That((await AnswerAsync("/health/live")).Checks.Keys, Is.EquivalentTo(new[] { "self" }));
    }

    [Test]
    public async Task Should_turn_unready_while_the_database_is_unreachable_and_ready_when_it_returns()
    {
        Assert.That(await ReadyAsync(), Is.EqualTo(HttpStatusCode.OK));
        try
        {
            await Platform.Hosts.Database.SetReachableAsync(false);
            await Eventually.Until(ReadyAsync, s => s == HttpStatusCode.ServiceUnavailable, what: "unready");
            var (body, checks) = await AnswerAsync("/health/ready");
            Assert.That(checks["gateway-db"], Is.EqualTo(("Unhealthy", true)));
            AssertNothingSecret(body); // the check's exception names the host and the database user
            Assert.That((await Platform.Hosts.Management.GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "still alive");
        }
        finally
        {
            await Platform.Hosts.Database.SetReachableAsync(true);
        }

        await Eventually.Until(ReadyAsync, s => s == HttpStatusCode.OK, what: "ready again");
        await Platform.Hosts.WaitUntilReadyAsync();
    }

    /// <summary>
    /// Issue 19: a broker outage must not take the gateways out of their load balancer; their outbox keeps accepting
    /// notices. The bus's state is in the answer, and <c>/health/bus</c> says when it consumes again.
    /// </summary>
    [Test]
    public async Task Should_stay_ready_and_keep_accepting_while_the_broker_refuses_the_service_reporting_the_bus_as_unhealthy()
    {
        Assert.That(await ReadyAsync(), Is.EqualTo(HttpStatusCode.OK));
        var service = await Platform.Hosts.RegisterServiceAsync("ready-broker-away");
        try
        {
            await Platform.Hosts.Vhost.SetReachableAsync(false);
            await Eventually.Until(BusAsync, s => s == HttpStatusCode.ServiceUnavailable, what: "the bus reported disconnected");
            Assert.That(await ReadyAsync(), Is.EqualTo(HttpStatusCode.OK), "still ready: the database decides");
            var (body, checks) = await AnswerAsync("/health/ready");
            // MassTransit says Degraded for a bus that lost its broker (Unhealthy for one that failed for good).
            Assert.That(checks["masstransit-bus"].Status, Is.AnyOf("Degraded", "Unhealthy"));
            Assert.That(checks["masstransit-bus"].Decides, Is.False);
            Assert.That(checks["gateway-db"], Is.EqualTo(("Healthy", true)));
            AssertNothingSecret(body);
            Assert.That((await AnswerAsync("/health/bus")).Checks["masstransit-bus"].Decides, Is.True);
            await NoticeApi.SubmitAsync(service, NoticeApi.Body($"broker-away-{Guid.NewGuid():N}@example.it"));
        }
        finally
        {
            await Platform.Hosts.Vhost.SetReachableAsync(true);
        }

        await Eventually.Until(BusAsync, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "the bus connected again");
        await Platform.Hosts.WaitUntilReadyAsync();
    }
}
