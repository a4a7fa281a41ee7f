using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

public class Auditing_a_notice_sent_on_two_channels
{
    [Test]
    public async Task Should_list_every_event_in_order_including_the_failed_attempt()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("audit-two-channels", "email", "sms");
        var citizen = Citizens.NewFiscalCode();
        const string phone = "+393331112233";
        await Api.PutProfileAsync(citizen, new { email = Api.NewEmail("audit"), email_verified = true, phone });
        // The SMS provider refuses the first attempt with an error that is not the citizen's fault (transient, not retried by HTTP resilience).
        var failedOnce = 0;
        Platform.Hosts.Twilio.Answer = (request, _) =>
            request.To == phone && Interlocked.Exchange(ref failedOnce, 1) == 0 ? TwilioAnswer.Error(400, 30001) : null;
        try
        {
            var id = await Api.SubmitAsync(service, Api.Notice(citizen));
            await Api.WaitForStatusAsync(service, id, s => Api.ChannelStatus(s, "email") == "SENT" && Api.ChannelStatus(s, "sms") == "SENT", "both SENT");

            var events = await Eventually.Until(() => Api.EventsAsync(service, id), e => e.Count(v => Api.Type(v) == "sent") == 2,
                TimeSpan.FromSeconds(30), "both sent events");
            TestContext.Out.WriteLine(string.Join("\n", events));
            var types = events.Select(e => $"{Api.Type(e)} {Api.Channel(e)}".Trim()).ToList();
            Assert.That(types.Take(2), Is.EqualTo(new[] { "accepted", "routed" }));
            Assert.That(events[1].GetProperty("detail").GetString(), Is.EqualTo("channel plan: email, sms"));
            Assert.That(types, Is.EquivalentTo(new[] { "accepted", "routed", "dispatch_attempt_failed sms", "sent sms", "sent email" }));
            Assert.That(types.IndexOf("dispatch_attempt_failed sms"), Is.LessThan(types.IndexOf("sent sms")));
            var attempt = events.Single(e => Api.Type(e) == "dispatch_attempt_failed");
            Assert.That(attempt.GetProperty("detail").GetString(), Is.EqualTo("attempt 1: TWILIO 30001 (HTTP 400)"));
            Assert.That(events.Select(e => e.GetProperty("sequence").GetInt64()), Is.Ordered.And.Unique, "listed in append order");
            Assert.That(string.Join("\n", events), Does.Not.Contain(phone).And.Not.Contain(citizen), "no personal data in the audit trail");
        }
        finally
        {
            Platform.Hosts.Twilio.Answer = (_, _) => null;
        }
    }

    [Test]
    public async Task Should_not_show_a_notice_of_another_service()
    {
        var owner = await Platform.Hosts.RegisterServiceAsync("audit-owner");
        var stranger = await Platform.Hosts.RegisterServiceAsync("audit-stranger");
        var id = await Api.SubmitAsync(owner, Api.Notice(Citizens.NewFiscalCode(), Api.NewEmail("audit")));

        Assert.That((await stranger.GetAsync($"/api/v1/notices/{id}/events")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await owner.GetAsync($"/api/v1/notices/{id}/events")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}

public class Proving_what_was_sent
{
    /// <summary>
    /// The canonical form as README.md documents it, written independently of the gateway's code: compact JSON
    /// {"subject","markdown","due_date"} in this order (due_date only when given), strings escaped as System.Text.Json's
    /// default encoder does (printable ASCII other than " &amp; ' + &lt; &gt; ` \ as is; \n \r \t \b \f \\ short; everything else \uXXXX upper-case,
    /// characters beyond the BMP as their UTF-16 surrogate pair), UTF-8, SHA-256 in lower-case hex.
    /// </summary>
    private static string SenderSideHash(string subject, string markdown, string? dueDate)
    {
        static string Quote(string s)
        {
            var b = new StringBuilder("\"");
            foreach (var c in s)
            {
                b.Append(c switch
                {
                    '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", '\b' => "\\b", '\f' => "\\f", '\\' => "\\\\",
                    _ when c is >= ' ' and <= '~' && !"\"&'+<>`".Contains(c) => c.ToString(),
                    _ => $"\\u{(int)c:X4}",
                });
            }

            return b.Append('"').ToString();
        }

        var json = $"{{\"subject\":{Quote(subject)},\"markdown\":{Quote(markdown)}{(dueDate is null ? "" : $",\"due_date\":\"{dueDate}\"")}}}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
    }

    [Test]
    public async Task Should_let_the_sender_recompute_content_sha256_from_what_it_sent()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("audit-hash");
        const string subject = "Bollo auto: scadenza \"importante\" <entro> il 31/12 & oltre — 100 €";
        const string markdown = "Gentile cittadino,\n\nil **bollo** (`auto`) dell'auto scade il 31/12.\tImporto: 100 € + interessi 🙂\r\n"
            + "Paga su [pagoPA](https://example.it/pago?a=1&b=2) — grazie.";
        var id = await Api.SubmitAsync(service,
            Api.Notice(Citizens.NewFiscalCode(), Api.NewEmail("hash"), subject, markdown, "2026-12-31"));

        var stored = (await Api.StatusAsync(service, id)).GetProperty("content_sha256").GetString();
        Assert.That(stored, Is.EqualTo(SenderSideHash(subject, markdown, "2026-12-31")));
        var events = await service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}/events");
        Assert.That(events.GetProperty("content_sha256").GetString(), Is.EqualTo(stored));
        Assert.That(Api.Type(events.GetProperty("events")[0]), Is.EqualTo("accepted"));
        Assert.That(events.GetProperty("events")[0].GetProperty("detail").GetString(), Is.EqualTo($"content_sha256 {stored}"));
    }
}
