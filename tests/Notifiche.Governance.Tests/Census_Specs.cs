using System.Globalization;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.Governance.Tests;

public class The_census
{
    [Test]
    public async Task Should_count_a_known_sequence_of_notices_per_channel_beside_the_declared_volumes()
    {
        var body = new Dictionary<string, object>
        {
            ["id"] = "census-anagrafe", ["name"] = "Servizio anagrafe", ["department"] = "Servizi demografici",
            ["organization_name"] = "Comune di Milano", ["organization_fiscal_code"] = Operator.OrganizationFiscalCode,
            ["contact_email"] = "anagrafe@comune.example.it", ["notice_categories"] = new[] { "identity-card-expiry" },
            ["allowed_channels"] = new[] { "email", "sms" }, ["expected_monthly_volume"] = new { email = 1000, sms = 2000 },
        };
        using var service = Operator.ClientWith(await Operator.CreateAsync(body));
        var citizen = await Citizen.WithEmailAndSmsAsync();

        // Four notices: email only; email + SMS; rejected (unknown citizen, no default address); email refused by the mailbox (550).
        var emailOnly = await Operator.AcceptedAsync(service, Citizens.NewFiscalCode(), "census-a@example.it");
        var emailAndSms = await Operator.AcceptedAsync(service, citizen.FiscalCode, email: null);
        var rejected = await Operator.AcceptedAsync(service, Citizens.NewFiscalCode(), email: null);
        var failed = await Operator.AcceptedAsync(service, Citizens.NewFiscalCode(), $"reject-{Guid.NewGuid():N}@example.it");
        await Operator.WaitForChannelAsync(service, emailOnly, "email", "SENT");
        await Operator.WaitForChannelAsync(service, emailAndSms, "email", "SENT");
        await Operator.WaitForChannelAsync(service, emailAndSms, "sms", "SENT");
        await Operator.WaitForChannelAsync(service, failed, "email", "FAILED");
        await Eventually.Until(() => Operator.StatusAsync(service, rejected), s => s.GetProperty("status").GetString() == "REJECTED");

        var month = DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var census = await Operator.OkAsync(HttpMethod.Get, $"/census?month={month}");

        Assert.That(census.GetProperty("month").GetString(), Is.EqualTo(month));
        var line = census.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("service_id").GetString() == "census-anagrafe");
        Assert.That(line.GetProperty("organization_fiscal_code").GetString(), Is.EqualTo(Operator.OrganizationFiscalCode));
        Assert.That(line.GetProperty("notices_accepted").GetInt32(), Is.EqualTo(4));
        Assert.That(line.GetProperty("notices_rejected").GetInt32(), Is.EqualTo(1));
        var channels = line.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!);
        AssertChannel(channels["email"], allowed: true, expected: 1000, sent: 2, failed: 1);
        AssertChannel(channels["sms"], allowed: true, expected: 2000, sent: 1, failed: 0);
        AssertChannel(channels["push"], allowed: false, expected: null, sent: 0, failed: 0);
        AssertChannel(channels["telegram"], allowed: false, expected: null, sent: 0, failed: 0);
        var sms = Platform.Hosts.Twilio.Accepted.Single(r => r.To == citizen.Phone);
        Assert.That(channels["sms"].GetProperty("sms_segments").GetInt32(), Is.GreaterThanOrEqualTo(1));
        Assert.That(channels["sms"].GetProperty("cost_euro").GetDecimal(), Is.EqualTo(channels["sms"].GetProperty("sms_segments").GetInt32() * 0.05m),
            $"segments × the configured price per segment (SMS of {sms.Body.Length} characters)");

        var lastMonth = await Operator.OkAsync(HttpMethod.Get, $"/census?month={DateTime.UtcNow.AddMonths(-1):yyyy-MM}&service_id=census-anagrafe");
        Assert.That(lastMonth.GetProperty("services").EnumerateArray().Single().GetProperty("notices_accepted").GetInt32(), Is.Zero);
    }

    private static void AssertChannel(JsonElement channel, bool allowed, int? expected, int sent, int failed)
    {
        var name = channel.GetProperty("channel").GetString();
        Assert.That(channel.GetProperty("allowed").GetBoolean(), Is.EqualTo(allowed), name);
        Assert.That(channel.GetProperty("expected_monthly").ValueKind == JsonValueKind.Null ? (int?)null : channel.GetProperty("expected_monthly").GetInt32(),
            Is.EqualTo(expected), name);
        Assert.That(channel.GetProperty("sent").GetInt32(), Is.EqualTo(sent), name);
        Assert.That(channel.GetProperty("failed").GetInt32(), Is.EqualTo(failed), name);
    }

    [Test]
    public async Task Should_refuse_a_month_that_is_not_yyyy_MM_naming_the_parameter()
    {
        var response = await Operator.SendAsync(HttpMethod.Get, "/census?month=11-2026");

        var problem = await Operator.ProblemAsync(response, System.Net.HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("month", out _), Is.True);
    }
}
