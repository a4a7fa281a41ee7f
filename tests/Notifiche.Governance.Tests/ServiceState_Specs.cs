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
        var tester = Citizens.NewFiscalCode();
        var body = new Dictionary<string, object>
        {
            ["id"] = "sandbox-scuola", ["name"] = "Registro assenze", ["organization_name"] = "Istituto comprensivo",
            ["organization_fiscal_code"] = Operator.OrganizationFiscalCode, ["contact_email"] = "segreteria@scuola.example.it",
            ["sandbox_recipients"] = new[] { tester.ToLowerInvariant() },
        };
        var created = await Operator.OkAsync(HttpMethod.Post, "/services", body);
        Assert.That(created.GetProperty("state").GetString(), Is.EqualTo("sandbox"), "a new service starts in sandbox");
        using var service = Operator.ClientWith(created.GetProperty("api_key").GetString()!);

        var id = await Operator.AcceptedAsync(service, tester);
        var stranger = await Operator.SubmitAsync(service, Citizens.NewFiscalCode());

        var problem = await Operator.ProblemAsync(stranger, HttpStatusCode.Forbidden);
        Assert.That(problem.GetProperty("title").GetString(), Does.Contain("sandbox"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("live").And.Contain("services activate"));
        await Operator.WaitForChannelAsync(service, id, "email", "SENT");

        var added = Citizens.NewFiscalCode();
        await Operator.OkAsync(HttpMethod.Post, "/services/sandbox-scuola/sandbox-recipients", new { add = new[] { added } });
        await Operator.AcceptedAsync(service, added);

        await Operator.OkAsync(HttpMethod.Post, "/services/sandbox-scuola/activate");
        await Operator.AcceptedAsync(service, Citizens.NewFiscalCode());
    }
}
