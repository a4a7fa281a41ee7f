using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Testing;
using Npgsql;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Reference, protocol and listing (issue 18, point 4): a notice carries the sender's own reference and protocol number
/// back in status, events and callbacks, and <c>GET /api/v1/notices</c> lists the calling service's notices, newest
/// first, filtered and keyset-paged, by index.
/// </summary>
public class Listing_a_services_notices
{
    private static object Body(string? reference = null, object? protocol = null, string? email = null) => new
    {
        fiscal_code = Citizens.NewFiscalCode(),
        content = new
        {
            subject = "La tua carta d'identità scade tra 30 giorni",
            markdown = "Gentile cittadino, la tua **carta d'identità** scade il 26/12/2026.\n\nPrenota il rinnovo su [prenotazioni](https://example.it/prenota).",
        },
        default_addresses = new { email = email ?? $"listing-{Guid.NewGuid():N}@example.it" },
        reference,
        protocol,
    };

    private static async Task<JsonElement> PageAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync($"/api/v1/notices{query}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<Guid> Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];

    [Test]
    public async Task Should_return_the_reference_and_protocol_in_status_events_and_callbacks()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("anagrafe-reference");
        await using var receiver = await CallbackReceiver.StartAsync();
        var registered = await service.PutAsJsonAsync("/api/v1/callback", new { url = receiver.Url, secret = new string('r', 40) });
        Assert.That(registered.IsSuccessStatusCode, Is.True, await registered.Content.ReadAsStringAsync());

        var id = await NoticeApi.SubmitAsync(service, Body("  TARI-2026/000123  ", new { number = " c_h501/AOO/2026/0012345 ", date = "2026-11-26" }));

        var status = await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT");
        Assert.That(status.GetProperty("reference").GetString(), Is.EqualTo("TARI-2026/000123"), "trimmed");
        Assert.That(status.GetProperty("protocol").GetProperty("number").GetString(), Is.EqualTo("c_h501/AOO/2026/0012345"));
        Assert.That(status.GetProperty("protocol").GetProperty("date").GetString(), Is.EqualTo("2026-11-26"));
        var events = await service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}/events");
        Assert.That(events.GetProperty("reference").GetString(), Is.EqualTo("TARI-2026/000123"));
        Assert.That(events.GetProperty("protocol").GetProperty("number").GetString(), Is.EqualTo("c_h501/AOO/2026/0012345"));
        var sent = await Eventually.Until(() => Task.FromResult(receiver.Received.Select(r => JsonDocument.Parse(r.Body).RootElement)
                .FirstOrDefault(b => b.GetProperty("notice_id").GetGuid() == id && b.GetProperty("status").GetString() == "SENT")),
            b => b.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(30), "the SENT callback");
        Assert.That(sent.GetProperty("reference").GetString(), Is.EqualTo("TARI-2026/000123"));
        Assert.That(sent.GetProperty("protocol").GetProperty("date").GetString(), Is.EqualTo("2026-11-26"));
        Assert.That(sent.GetProperty("test").GetBoolean(), Is.False);

        // No callback left behind: once the receiver is gone its retries would hold up the gateway's later shutdowns.
        Assert.That((await service.DeleteAsync("/api/v1/callback")).IsSuccessStatusCode, Is.True);
        var other = await Platform.Hosts.RegisterServiceAsync("anagrafe-reference-none");
        var plain = await NoticeApi.SubmitAsync(other, Body());
        var without = await NoticeApi.StatusAsync(other, plain);
        Assert.That(without.GetProperty("reference").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(without.GetProperty("protocol").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [TestCase("reference", 129, "reference")]
    [TestCase("reference", 0, "reference")]
    [TestCase("reference-control", 10, "reference")]
    [TestCase("protocol-without-date", 10, "protocol.date")]
    [TestCase("protocol-without-number", 10, "protocol.number")]
    [TestCase("protocol-number", 65, "protocol.number")]
    public async Task Should_answer_400_naming_the_field_for_a_bad_reference_or_protocol(string what, int length, string field)
    {
        var service = await Platform.Hosts.RegisterServiceAsync($"anagrafe-reference-bad-{what}-{length}");
        var text = new string('7', length);
        var body = what switch
        {
            "reference" => Body(text),
            "reference-control" => Body("TARI\u202E2026"),
            "protocol-without-date" => Body(protocol: new { number = text }),
            "protocol-without-number" => Body(protocol: new { date = "2026-11-26" }),
            _ => Body(protocol: new { number = text, date = "2026-11-26" }),
        };

        var response = await service.PostAsJsonAsync("/api/v1/notices", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
        Assert.That(Ids(await PageAsync(service, "")), Is.Empty, "nothing stored");
    }

    [Test]
    public async Task Should_list_newest_first_page_by_page_filtered_by_reference_status_and_time()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("anagrafe-listing");
        var other = await Platform.Hosts.RegisterServiceAsync("anagrafe-listing-other");
        var others = await NoticeApi.SubmitAsync(other, Body("BATCH-A"));
        var ids = new List<Guid>();
        DateTimeOffset middle = default;
        for (var i = 0; i < 5; i++)
        {
            if (i == 3)
            {
                await Task.Delay(20);
                middle = DateTimeOffset.UtcNow;
                await Task.Delay(20);
            }

            // The fourth is refused by routing (no profile, no default address): REJECTED.
            ids.Add(await NoticeApi.SubmitAsync(service, i == 3
                ? new { fiscal_code = Citizens.NewFiscalCode(), content = new { subject = "La tua carta d'identità scade presto", markdown = new string('x', 90) }, reference = "BATCH-B" }
                : Body(i % 2 == 0 ? "BATCH-A" : "BATCH-B")));
        }

        foreach (var id in ids)
        {
            await Eventually.Until(() => NoticeApi.StatusAsync(service, id), s => s.GetProperty("status").GetString() != "ACCEPTED", TimeSpan.FromSeconds(30),
                "routed or rejected");
        }

        ids.Reverse();
        // Pages of two, newest first, each following the last one's cursor; the other service's notice is never listed.
        var listed = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await PageAsync(service, $"?page_size=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            listed.AddRange(Ids(page));
            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
        }
        while (cursor is not null);
        Assert.That(listed, Is.EqualTo(ids));
        Assert.That(pages, Is.EqualTo(3));
        Assert.That(listed, Does.Not.Contain(others));

        var first = (await PageAsync(service, "?page_size=1")).GetProperty("items")[0];
        Assert.That(first.GetProperty("reference").GetString(), Is.EqualTo("BATCH-A"));
        Assert.That(first.GetProperty("test").GetBoolean(), Is.False);

        Assert.That(Ids(await PageAsync(service, "?reference=BATCH-B")), Is.EqualTo(new[] { ids[1], ids[3] }));
        Assert.That(Ids(await PageAsync(service, "?status=REJECTED")), Is.EqualTo(new[] { ids[1] }));
        Assert.That(Ids(await PageAsync(service, "?status=PROCESSED&reference=BATCH-A")), Is.EqualTo(new[] { ids[0], ids[2], ids[4] }));
        var at = Uri.EscapeDataString(middle.ToString("O"));
        Assert.That(Ids(await PageAsync(service, $"?from={at}")), Is.EqualTo(ids[..2]));
        Assert.That(Ids(await PageAsync(service, $"?to={at}")), Is.EqualTo(ids[2..]));
        Assert.That(Ids(await PageAsync(service, "?status=SCHEDULED")), Is.Empty);
    }

    [TestCase("status=SENT", "status")]
    [TestCase("from=yesterday", "from")]
    [TestCase("from=2026-12-01T00:00:00", "from")]
    [TestCase("from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "to")]
    [TestCase("cursor=not-a-cursor", "cursor")]
    [TestCase("page_size=0", "page_size")]
    [TestCase("page_size=201", "page_size")]
    public async Task Should_answer_400_naming_the_parameter(string query, string field)
    {
        var service = await Platform.Hosts.RegisterServiceAsync($"anagrafe-listing-bad-{Guid.NewGuid().ToString("N")[..8]}");

        var response = await service.GetAsync($"/api/v1/notices?{query}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
    }

    /// <summary>20,000 notices of one service among the others': every filter's page is an index scan, never a sequential one.</summary>
    [Test]
    public async Task Should_page_by_index_without_a_sequential_scan()
    {
        const string serviceId = "anagrafe-listing-explain";
        await Platform.Hosts.RegisterServiceAsync(serviceId);
        await using (var connection = new NpgsqlConnection(Platform.Hosts.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO notices (id, service_id, fiscal_code, time_to_live_seconds, accepted_at, expires_at, content_sha256, status,
                                     read_receipts, test, reference)
                SELECT gen_random_uuid(), '{serviceId}', 'EXPLAIN000000000', 3600, now() - i * interval '1 second', now() + interval '1 hour',
                       repeat('0', 64), CASE WHEN i % 50 = 0 THEN 'REJECTED' ELSE 'PROCESSED' END, false, false, 'REF-' || (i % 1000)
                FROM generate_series(1, 20000) AS i;
                ANALYZE notices;
                """, connection);
            await insert.ExecuteNonQueryAsync();
        }

        var now = DateTimeOffset.UtcNow;
        var filters = new Dictionary<string, NoticeListing.Filter>
        {
            ["none"] = new(null, null, null, null, null, NoticeListing.DefaultPageSize),
            ["cursor"] = new(null, null, null, null, NoticeListing.FirstIdAt(now), NoticeListing.DefaultPageSize),
            ["reference"] = new("REF-7", null, null, null, null, NoticeListing.DefaultPageSize),
            ["status"] = new(null, "REJECTED", null, null, null, NoticeListing.DefaultPageSize),
            ["scheduled"] = new(null, "SCHEDULED", null, null, null, NoticeListing.DefaultPageSize),
            ["from-to"] = new(null, null, now.AddHours(-2), now.AddHours(-1), null, NoticeListing.MaxPageSize),
        };
        await using var scope = Platform.Hosts.GatewayServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        foreach (var (name, filter) in filters)
        {
            await using var command = NoticeListing.Query(db, serviceId, filter, now).CreateDbCommand();
            command.CommandText = "EXPLAIN " + command.CommandText;
            if (command.Connection!.State != System.Data.ConnectionState.Open)
            {
                await command.Connection.OpenAsync();
            }

            var plan = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(0));
                }
            }

            var text = string.Join("\n", plan);
            TestContext.Out.WriteLine($"{name}:\n{text}\n");
            Assert.That(text, Does.Not.Contain("Seq Scan"), $"{name}: {text}");
            Assert.That(text, Does.Contain("Index"), $"{name}: {text}");
        }
    }
}
