using System.Net;
using System.Text.Json;

namespace Notifiche.Governance.Tests;

public class Bad_operator_input
{
    private static Dictionary<string, object?> Valid(string id) => new()
    {
        ["id"] = id, ["name"] = "Servizio anagrafe", ["organization_name"] = "Comune di Milano",
        ["organization_fiscal_code"] = Operator.OrganizationFiscalCode, ["contact_email"] = "anagrafe@comune.example.it",
    };

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response) =>
        (await Operator.ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");

    [TestCase("organization_fiscal_code", "01199250157", "check digit")]
    [TestCase("organization_fiscal_code", "0119925015", "11 digits")]
    [TestCase("allowed_channels", new[] { "email", "fax" }, "subset")]
    [TestCase("contact_email", "not-an-address", "email")]
    [TestCase("daily_notice_quota", 0, "whole number")]
    [TestCase("daily_quota", 10, "not a field")]
    [TestCase("urgent_allowed", "yes", "true or false")]
    public async Task Should_answer_400_naming_the_field(string field, object value, string problem)
    {
        var body = Valid($"bad-{Guid.NewGuid():N}"[..30]);
        body[field] = value;

        var errors = await ErrorsAsync(await Operator.SendAsync(HttpMethod.Post, "/services", body));

        Assert.That(errors.GetProperty(field).EnumerateArray().Single().GetString(), Does.Contain(problem));
        Assert.That(errors.EnumerateObject().Count(), Is.EqualTo(1), errors.ToString());
    }

    [TestCase("notifiche")]
    [TestCase("admin")]
    [TestCase("operator")]
    [TestCase("system")]
    [TestCase("gateway")]
    [TestCase("preferences")]
    [TestCase("dispatch")]
    [TestCase("root")]
    [TestCase("rabbitmq")]
    [TestCase("guest")]
    [TestCase("notifiche-gateway")]
    [TestCase("dispatch-email")]
    public async Task Should_refuse_a_service_id_that_overlaps_a_platform_name(string id)
    {
        var errors = await ErrorsAsync(await Operator.SendAsync(HttpMethod.Post, "/services", Valid(id)));

        Assert.That(errors.GetProperty("id").EnumerateArray().Single().GetString(), Does.Contain("platform"));
        Assert.That(errors.EnumerateObject().Count(), Is.EqualTo(1), errors.ToString());
        using var lookup = await Operator.SendAsync(HttpMethod.Get, $"/services/{id}");
        Assert.That(lookup.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing registered");
    }

    [Test]
    public async Task Should_name_the_nested_field_of_a_negative_volume_an_unknown_channel_and_a_bad_cidr()
    {
        var body = Valid("bad-nested");
        body["expected_monthly_volume"] = new Dictionary<string, int> { ["email"] = 10, ["sms"] = -5, ["pec"] = 3 };
        body["allowed_source_cidrs"] = new[] { "10.0.0.0/8", "10.0.0.1/8" };
        body["sandbox_recipients"] = new[] { "RSSMRA85T10A562X" };
        body["rate_limit"] = new { per_second = -1 };

        var errors = await ErrorsAsync(await Operator.SendAsync(HttpMethod.Post, "/services", body));

        Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EquivalentTo(new[]
        {
            "expected_monthly_volume.sms", "expected_monthly_volume.pec", "allowed_source_cidrs[1]", "sandbox_recipients[0]", "rate_limit.per_second",
        }));
        Assert.That((await Operator.SendAsync(HttpMethod.Get, "/services/bad-nested")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound),
            "nothing was registered");
    }

    [Test]
    public async Task Should_take_an_expected_volume_for_telegram_and_show_it_in_the_census()
    {
        var body = Valid("telegram-volume");
        body["allowed_channels"] = new[] { "email", "telegram" };
        body["expected_monthly_volume"] = new Dictionary<string, int> { ["email"] = 10, ["telegram"] = 5 };

        (await Operator.SendAsync(HttpMethod.Post, "/services", body)).EnsureSuccessStatusCode();

        var stored = await Operator.OkAsync(HttpMethod.Get, "/services/telegram-volume");
        Assert.That(stored.GetProperty("expected_monthly_volume").GetProperty("telegram").GetInt32(), Is.EqualTo(5));
        var census = await Operator.OkAsync(HttpMethod.Get, $"/census?month={DateTime.UtcNow:yyyy-MM}&service_id=telegram-volume");
        var telegram = census.GetProperty("services").EnumerateArray().Single().GetProperty("channels").EnumerateArray()
            .Single(c => c.GetProperty("channel").GetString() == "telegram");
        Assert.That(telegram.GetProperty("expected_monthly").GetInt32(), Is.EqualTo(5));
        Assert.That(telegram.GetProperty("allowed").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Should_list_every_missing_required_field_on_create()
    {
        var errors = await ErrorsAsync(await Operator.SendAsync(HttpMethod.Post, "/services", new { id = "bad-missing" }));

        Assert.That(errors.EnumerateObject().Select(e => e.Name),
            Is.EquivalentTo(new[] { "name", "organization_name", "organization_fiscal_code", "contact_email" }));
    }

    [Test]
    public async Task Should_refuse_an_update_that_changes_the_id_or_the_state_and_change_nothing()
    {
        await Operator.CreateAsync(Valid("bad-update"), live: false);

        var errors = await ErrorsAsync(await Operator.SendAsync(HttpMethod.Patch, "/services/bad-update",
            new { id = "other", state = "active", name = "Nuovo nome" }));

        Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EquivalentTo(new[] { "id", "state" }));
        var stored = await Operator.OkAsync(HttpMethod.Get, "/services/bad-update");
        Assert.That(stored.GetProperty("name").GetString(), Is.EqualTo("Servizio anagrafe"));
        Assert.That(stored.GetProperty("state").GetString(), Is.EqualTo("sandbox"));
    }

    [Test]
    public async Task Should_refuse_the_admin_api_without_the_operator_key()
    {
        var response = await Platform.Hosts.Management.GetAsync("/api/v1/admin/services");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
