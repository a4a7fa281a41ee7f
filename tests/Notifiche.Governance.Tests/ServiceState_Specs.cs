using System.Net.Http.Json;
using System.Text.Json;
using System.Net;
using Notifiche.Testing;

namespace Notifiche.Governance.Tests;

public class Suspending_a_service
{
    [Test]
    public async Task Should_refuse_every_notice_with_403_until_the_service_is_activated_again()
    {
        using var service = Operator.ClientWith(await Operator.CreateAsync(Operator.ServiceBody("suspended-asl")));
        var before = await Operator.AcceptedAsync(service, Citizens.NewFiscalCode());

        await Operator.OkAsync(HttpMethod.Post, "/services/suspended-asl/suspend");

        var problem = await Operator.ProblemAsync(await Operator.SubmitAsync(service, Citizens.NewFiscalCode()), HttpStatusCode.Forbidden);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Service suspended"));
        Assert.That((await Operator.StatusAsync(service, before)).GetProperty("id").GetGuid(), Is.EqualTo(before),
            "a suspended service still reads the status of what it sent");

        await Operator.OkAsync(HttpMethod.Post, "/services/suspended-asl/activate");
        await Operator.AcceptedAsync(service, Citizens.NewFiscalCode());
    }
}

public class A_service_in_sandbox
{
    [Test]
    public async Task Should_send_only_to_its_test_recipients_and_say_how_to_go_live()
    {
        // A test recipient with a profile: in sandbox a notice reaches only the address the recipient set there.
        var tester = (await Citizen.WithEmailAndSmsAsync()).FiscalCode;
        var body = new Dictionary<string, object>
        {
            ["id"] = "sandbox-scuola", ["name"] = "Registro assenze", ["organization_name"] = "Istituto comprensivo",
            ["organization_fiscal_code"] = Operator.OrganizationFiscalCode, ["contact_email"] = "segreteria@scuola.example.it",
            ["sandbox_recipients"] = new[] { tester.ToLowerInvariant() },
        };
        var created = await Operator.OkAsync(HttpMethod.Post, "/services", body);
        Assert.That(created.GetProperty("state").GetString(), Is.EqualTo("sandbox"), "a new service starts in sandbox");
        using var service = Operator.ClientWith(created.GetProperty("api_key").GetString()!);

        var id = await Operator.AcceptedAsync(service, tester, email: null);
        var stranger = await Operator.SubmitAsync(service, Citizens.NewFiscalCode(), email: null);

        var problem = await Operator.ProblemAsync(stranger, HttpStatusCode.Forbidden);
        Assert.That(problem.GetProperty("title").GetString(), Does.Contain("sandbox"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("live").And.Contain("services activate"));
        Assert.That(problem.GetProperty("errors").TryGetProperty("fiscal_code", out _), Is.True, "the refused field");
        await Operator.WaitForChannelAsync(service, id, "email", "SENT");

        var added = Citizens.NewFiscalCode();
        await Operator.OkAsync(HttpMethod.Post, "/services/sandbox-scuola/sandbox-recipients", new { add = new[] { added } });
        await Operator.AcceptedAsync(service, added, email: null);

        await Operator.OkAsync(HttpMethod.Post, "/services/sandbox-scuola/activate");
        await Operator.AcceptedAsync(service, Citizens.NewFiscalCode());
    }

    [Test]
    public async Task Should_refuse_a_default_address_even_for_a_test_recipient_and_deliver_nothing()
    {
        var tester = Citizens.NewFiscalCode();
        var created = await Operator.OkAsync(HttpMethod.Post, "/services", new Dictionary<string, object>
        {
            ["id"] = "sandbox-default", ["name"] = "Registro assenze", ["organization_name"] = "Istituto comprensivo",
            ["organization_fiscal_code"] = Operator.OrganizationFiscalCode, ["contact_email"] = "segreteria@scuola.example.it",
            ["sandbox_recipients"] = new[] { tester },
        });
        using var service = Operator.ClientWith(created.GetProperty("api_key").GetString()!);
        var anyone = $"qualcuno-{Guid.NewGuid():N}@example.it";

        var problem = await Operator.ProblemAsync(await Operator.SubmitAsync(service, tester, anyone), HttpStatusCode.Forbidden);
        Assert.That(problem.GetProperty("title").GetString(), Does.Contain("sandbox"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("default_addresses.email"));
        Assert.That(problem.GetProperty("errors").TryGetProperty("default_addresses.email", out _), Is.True, "the refused field, as a 400 names it");

        await Operator.OkAsync(HttpMethod.Post, "/services/sandbox-default/activate");
        var id = await Operator.AcceptedAsync(service, tester, anyone);
        await Operator.WaitForChannelAsync(service, id, "email", "SENT");
        Assert.That(Platform.Hosts.Smtp.MessagesTo(anyone), Has.Count.EqualTo(1), "only the live notice reached the default address");
    }
}

/// <summary>Issue 15: concurrent submissions are written together (group commit); each still gets its own answer.</summary>
public class Submitting_at_once_from_several_services
{
    [Test]
    public async Task Should_answer_each_submission_for_its_own_service_and_store_only_the_accepted_ones()
    {
        using var live = Operator.ClientWith(await Operator.CreateAsync(Operator.ServiceBody("group-live")));
        using var suspended = Operator.ClientWith(await Operator.CreateAsync(Operator.ServiceBody("group-suspended")));
        await Operator.OkAsync(HttpMethod.Post, "/services/group-suspended/suspend");
        using var quota = Operator.ClientWith(await Operator.CreateAsync(Operator.ServiceBody("group-quota")));
        await Operator.UpdateAsync("group-quota", new { daily_notice_quota = 4 });

        var clients = new[] { live, suspended, quota };
        var answers = await Task.WhenAll(Enumerable.Range(0, 36).Select(async i =>
        {
            var response = await Operator.SubmitAsync(clients[i % 3], Citizens.NewFiscalCode());
            return (Service: i % 3, Status: response.StatusCode, Id: response.StatusCode == HttpStatusCode.Created
                ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid()
                : Guid.Empty);
        }));

        Assert.That(answers.Where(a => a.Service == 0).Select(a => a.Status), Is.All.EqualTo(HttpStatusCode.Created));
        Assert.That(answers.Where(a => a.Service == 1).Select(a => a.Status), Is.All.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(answers.Count(a => a.Service == 2 && a.Status == HttpStatusCode.Created), Is.EqualTo(4), "exactly the daily quota");
        Assert.That(answers.Count(a => a.Service == 2 && a.Status == HttpStatusCode.TooManyRequests), Is.EqualTo(8));
        var accepted = answers.Where(a => a.Status == HttpStatusCode.Created).ToList();
        Assert.That(accepted.Select(a => a.Id).Distinct().Count(), Is.EqualTo(accepted.Count), "one notice per accepted submission");
        foreach (var (service, _, id) in accepted)
        {
            var status = await Operator.StatusAsync(clients[service], id);
            Assert.That(status.GetProperty("id").GetGuid(), Is.EqualTo(id), "stored, and readable by the service that sent it");
        }
    }
}
