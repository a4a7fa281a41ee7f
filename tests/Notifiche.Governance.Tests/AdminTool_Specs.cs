using System.Globalization;
using System.Net;
using Notifiche.Admin;
using Notifiche.Testing;

namespace Notifiche.Governance.Tests;

public class Onboarding_a_service_with_notifiche_admin
{
    [Test]
    public async Task Should_create_test_in_sandbox_go_live_rotate_the_key_and_read_the_census_line()
    {
        // A test recipient with a profile: in sandbox a notice reaches only the address the recipient set there.
        var tester = (await Citizen.WithEmailAndSmsAsync()).FiscalCode;
        var create = await AdminTool.RunAsync("services", "create", "cli-anagrafe", "--name", "Servizio anagrafe", "--department", "Demografici",
            "--organization-name", "Comune di Milano, Area servizi", "--organization-fiscal-code", "01199250158",
            "--contact-email", "anagrafe@comune.example.it", "--category", "identity-card-expiry", "--channel", "email",
            "--expected", "email=1000", "--sandbox-recipient", tester);
        Assert.That(create.ExitCode, Is.EqualTo(ExitCodes.Ok), create.Output);
        Assert.That(create.Output, Does.Contain("state sandbox").And.Contain("services activate cli-anagrafe"));
        using var firstKey = Operator.ClientWith(AdminTool.IssuedKey(create));
        var firstKeyId = AdminTool.IssuedKeyId(create);

        await Operator.AcceptedAsync(firstKey, tester, email: null);
        await Operator.ProblemAsync(await Operator.SubmitAsync(firstKey, Citizens.NewFiscalCode()), HttpStatusCode.Forbidden);

        var activate = await AdminTool.RunAsync("services", "activate", "cli-anagrafe");
        Assert.That(activate.Output, Does.Contain("Service cli-anagrafe is now active."));
        await Operator.AcceptedAsync(firstKey, Citizens.NewFiscalCode());

        var issue = await AdminTool.RunAsync("keys", "issue", "cli-anagrafe");
        Assert.That(issue.ExitCode, Is.EqualTo(ExitCodes.Ok), issue.Output);
        using var secondKey = Operator.ClientWith(AdminTool.IssuedKey(issue));
        await Operator.AcceptedAsync(secondKey, Citizens.NewFiscalCode());
        var revoke = await AdminTool.RunAsync("keys", "revoke", "cli-anagrafe", firstKeyId);
        Assert.That(revoke.ExitCode, Is.EqualTo(ExitCodes.Ok), revoke.Output);
        await Operator.ProblemAsync(await Operator.SubmitAsync(firstKey, Citizens.NewFiscalCode()), HttpStatusCode.Unauthorized);
        var test = await AdminTool.RunAsync("keys", "issue", "cli-anagrafe", "--type", "test");
        Assert.That(test.ExitCode, Is.EqualTo(ExitCodes.Ok), test.Output);
        var keys = await AdminTool.RunAsync("keys", "list", "cli-anagrafe");
        Assert.That(keys.Output, Does.Match($@"{firstKeyId}\s+revoked\s+live"));
        Assert.That(keys.Output, Does.Match(@"active\s+test"), "the test key listed with its type");
        Assert.That(keys.Output, Does.Not.Contain(AdminTool.IssuedKey(issue)).And.Not.Contain(AdminTool.IssuedKey(create)));

        var census = await AdminTool.RunAsync("census", "--service", "cli-anagrafe");

        Assert.That(census.ExitCode, Is.EqualTo(ExitCodes.Ok), census.Output);
        var lines = census.Output.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.That(lines[0], Is.EqualTo(string.Join(',', CensusVerb.Header)));
        var month = DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        Assert.That(lines[1], Does.StartWith($"{month},cli-anagrafe,Servizio anagrafe,Demografici,\"Comune di Milano, Area servizi\",01199250158,active,"
            + "identity-card-expiry,3,0,true,1000,"), "3 accepted: the sandbox test, one live with each key");
    }
}

public class Governing_a_service_with_notifiche_admin
{
    [Test]
    public async Task Should_update_limits_show_them_and_clear_them_with_none()
    {
        await Operator.CreateAsync(Operator.ServiceBody("cli-limits", "email", "sms"));

        var update = await AdminTool.RunAsync("services", "update", "cli-limits", "--rate-limit", "10/50", "--daily-quota", "5000",
            "--sms-budget-segments", "2000", "--allow-cidr", "203.0.113.0/24", "--allow-cidr", "10.0.0.0/8");
        Assert.That(update.ExitCode, Is.EqualTo(ExitCodes.Ok), update.Output);
        var euro = await AdminTool.RunAsync("services", "update", "cli-limits", "--sms-budget-euro", "150.5");
        Assert.That(euro.Output, Does.Match(@"monthly SMS budget:\s+segments=2000, euro=150.5"), "the other half of the budget is kept");

        var show = await AdminTool.RunAsync("services", "show", "cli-limits");
        Assert.That(show.Output, Does.Match(@"rate limit:\s+per_second=10, burst=50"));
        Assert.That(show.Output, Does.Match(@"daily notice quota:\s+5000"));
        Assert.That(show.Output, Does.Match(@"allowed source CIDRs:\s+203.0.113.0/24, 10.0.0.0/8"));

        var clear = await AdminTool.RunAsync("services", "update", "cli-limits", "--rate-limit", "none", "--daily-quota", "none",
            "--sms-budget-segments", "none", "--sms-budget-euro", "none", "--allow-cidr", "none");
        Assert.That(clear.ExitCode, Is.EqualTo(ExitCodes.Ok), clear.Output);
        Assert.That(clear.Output, Does.Match(@"rate limit:\s+-").And.Match(@"daily notice quota:\s+-").And.Match(@"monthly SMS budget:\s+-")
            .And.Match(@"allowed source CIDRs:\s+-"));
    }

    [Test]
    public async Task Should_suspend_list_and_manage_sandbox_recipients()
    {
        await Operator.CreateAsync(Operator.ServiceBody("cli-suspend"));
        var cf = Citizens.NewFiscalCode();

        var suspend = await AdminTool.RunAsync("services", "suspend", "cli-suspend");
        var list = await AdminTool.RunAsync("services", "list");
        var add = await AdminTool.RunAsync("services", "sandbox-recipients", "cli-suspend", "--add", cf, "--add", Citizens.NewFiscalCode());
        var remove = await AdminTool.RunAsync("services", "sandbox-recipients", "cli-suspend", "--remove", cf);

        Assert.That(suspend.Output, Does.Contain("Service cli-suspend is now suspended."));
        Assert.That(list.Output.Split('\n').Single(l => l.StartsWith("cli-suspend ")), Does.Match(@"cli-suspend\s+suspended\s+email\s+Comune di Milano"));
        Assert.That(add.Output, Does.Contain("2 sandbox recipient(s)"));
        Assert.That(remove.Output, Does.Contain("1 sandbox recipient(s)"));
    }

    [Test]
    public async Task Should_print_the_gateways_field_errors_and_exit_1()
    {
        var run = await AdminTool.RunAsync("services", "create", "cli-bad", "--name", "X", "--organization-name", "Comune",
            "--organization-fiscal-code", "01199250157", "--contact-email", "a@comune.example.it", "--expected", "sms=-3", "--channel", "fax");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error));
        Assert.That(run.Output, Does.Contain("400").And.Contain("organization_fiscal_code: has a wrong check digit")
            .And.Contain("expected_monthly_volume.sms:").And.Contain("allowed_channels:"));
    }

    [Test]
    public async Task Should_say_what_to_do_when_the_operator_key_is_wrong_without_printing_it()
    {
        var run = await AdminTool.RunAsync("services", "list", "--operator-key", "wrong-key-123");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Error));
        Assert.That(run.Output, Does.Contain("401").And.Contain("NOTIFICHE_OPERATOR_KEY"));
        Assert.That(run.Output, Does.Not.Contain("wrong-key-123"));
    }

    [Test]
    public async Task Should_say_how_to_point_at_the_gateway_when_it_is_unreachable()
    {
        var output = new StringWriter();
        var exitCode = await Notifiche.Admin.Program.RunAsync(["services", "list", "--url", $"http://127.0.0.1:{FreePort.Next()}",
            "--operator-key", PlatformHosts.OperatorKey], output);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.Error));
        Assert.That(output.ToString(), Does.Contain("Cannot reach the gateway").And.Contain("NOTIFICHE_GATEWAY_URL"));
        Assert.That(output.ToString(), Does.Not.Contain(PlatformHosts.OperatorKey));
    }

    [Test]
    public async Task Should_say_that_the_admin_api_is_on_the_management_port_when_pointed_at_the_api_port()
    {
        var output = new StringWriter();
        var exitCode = await Notifiche.Admin.Program.RunAsync(["services", "list", "--url", Platform.Hosts.Gateway.BaseAddress!.ToString(),
            "--operator-key", PlatformHosts.OperatorKey], output);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.Error));
        Assert.That(output.ToString(), Does.Contain("404").And.Contain("management port").And.Contain("NOTIFICHE_GATEWAY_URL"));
        Assert.That(output.ToString(), Does.Not.Contain(PlatformHosts.OperatorKey));
    }

    [Test]
    public async Task Should_exit_2_with_a_pointer_to_help_on_a_wrong_command_line()
    {
        var run = await AdminTool.RunAsync("keys", "revoke", "cli-anagrafe");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(run.Output, Does.Contain("notifiche-admin keys revoke --help"));
    }

    [Test]
    public async Task Should_list_services_and_keys_as_json_on_request_without_secrets()
    {
        var create = await AdminTool.RunAsync("services", "create", "cli-json", "--name", "Servizio tributi", "--organization-name", "Comune di Pavia",
            "--organization-fiscal-code", "00296180185", "--contact-email", "tributi@comune.example.it", "--channel", "email", "--channel", "sms");
        Assert.That(create.ExitCode, Is.EqualTo(ExitCodes.Ok), create.Output);

        var services = await AdminTool.RunAsync("services", "list", "--output", "json");

        Assert.That(services.ExitCode, Is.EqualTo(ExitCodes.Ok), services.Output);
        var service = System.Text.Json.JsonDocument.Parse(services.Output).RootElement.EnumerateArray()
            .Single(s => s.GetProperty("id").GetString() == "cli-json");
        Assert.That(service.GetProperty("state").GetString(), Is.EqualTo("sandbox"));
        Assert.That(service.GetProperty("allowed_channels").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "email", "sms" }));
        Assert.That(service.GetProperty("organization_name").GetString(), Is.EqualTo("Comune di Pavia"));

        var keys = await AdminTool.RunAsync("keys", "list", "cli-json", "-o", "json");

        Assert.That(keys.ExitCode, Is.EqualTo(ExitCodes.Ok), keys.Output);
        var key = System.Text.Json.JsonDocument.Parse(keys.Output).RootElement.EnumerateArray().Single();
        Assert.That(key.GetProperty("key_id").GetString(), Is.EqualTo(AdminTool.IssuedKeyId(create)));
        Assert.That(key.GetProperty("status").GetString(), Is.EqualTo("active"));
        Assert.That(keys.Output, Does.Not.Contain(AdminTool.IssuedKey(create)), "never the secret");
    }

    [Test]
    public async Task Should_print_the_census_as_json_with_the_same_option_as_the_lists()
    {
        await Operator.CreateAsync(Operator.ServiceBody("cli-census-output"));

        var run = await AdminTool.RunAsync("census", "--output", "json", "--service", "cli-census-output", "--month", "2026-01");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Output);
        var census = System.Text.Json.JsonDocument.Parse(run.Output).RootElement;
        Assert.That(census.GetProperty("services")[0].GetProperty("service_id").GetString(), Is.EqualTo("cli-census-output"));
        Assert.That((await AdminTool.RunAsync("services", "list", "--output", "csv")).ExitCode, Is.EqualTo(ExitCodes.Usage), "csv is the census's layout only");
    }

    [Test]
    public async Task Should_print_the_census_as_json_on_request()
    {
        await Operator.CreateAsync(Operator.ServiceBody("cli-census-json"));

        var run = await AdminTool.RunAsync("census", "--format", "json", "--service", "cli-census-json", "--month", "2026-01");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.Output);
        var census = System.Text.Json.JsonDocument.Parse(run.Output).RootElement;
        Assert.That(census.GetProperty("month").GetString(), Is.EqualTo("2026-01"));
        Assert.That(census.GetProperty("services")[0].GetProperty("service_id").GetString(), Is.EqualTo("cli-census-json"));
    }
}
