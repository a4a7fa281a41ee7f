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

        await Operator.OkAsync(HttpMethod.Post, "/services/sandbox-default/activate");
        var id = await Operator.AcceptedAsync(service, tester, anyone);
        await Operator.WaitForChannelAsync(service, id, "email", "SENT");
        Assert.That(Platform.Hosts.Smtp.MessagesTo(anyone), Has.Count.EqualTo(1), "only the live notice reached the default address");
    }
}
