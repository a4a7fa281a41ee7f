using System.Net;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.Governance.Tests;

public class Rotating_a_services_keys
{
    [Test]
    public async Task Should_accept_old_and_new_key_until_the_old_is_revoked_then_refuse_it_with_401()
    {
        var oldKey = await Operator.CreateAsync(Operator.ServiceBody("rotation-anagrafe"));
        var keys = await Operator.OkAsync(HttpMethod.Get, "/services/rotation-anagrafe/keys");
        var oldKeyId = keys.EnumerateArray().Single().GetProperty("key_id").GetString();

        var issued = await Operator.OkAsync(HttpMethod.Post, "/services/rotation-anagrafe/keys", new { });
        var newKey = issued.GetProperty("api_key").GetString()!;
        using var oldClient = Operator.ClientWith(oldKey);
        using var newClient = Operator.ClientWith(newKey);

        await Operator.AcceptedAsync(oldClient, Citizens.NewFiscalCode());
        await Operator.AcceptedAsync(newClient, Citizens.NewFiscalCode());

        await Operator.OkAsync(HttpMethod.Post, $"/services/rotation-anagrafe/keys/{oldKeyId}/revoke");

        await Operator.ProblemAsync(await Operator.SubmitAsync(oldClient, Citizens.NewFiscalCode()), HttpStatusCode.Unauthorized);
        await Operator.AcceptedAsync(newClient, Citizens.NewFiscalCode());
        var listed = (await Operator.OkAsync(HttpMethod.Get, "/services/rotation-anagrafe/keys")).EnumerateArray().ToList();
        Assert.That(listed.Select(k => k.GetProperty("status").GetString()), Is.EqualTo(new[] { "revoked", "active" }));
        Assert.That(JsonSerializer.Serialize(listed), Does.Not.Contain(newKey).And.Not.Contain(oldKey).And.Not.Contain("hash"),
            "a listing never shows key material");
    }

    [Test]
    public async Task Should_refuse_a_third_active_key_with_409_saying_to_revoke_one_first()
    {
        await Operator.CreateAsync(Operator.ServiceBody("rotation-limit"));
        await Operator.OkAsync(HttpMethod.Post, "/services/rotation-limit/keys", new { });

        var third = await Operator.SendAsync(HttpMethod.Post, "/services/rotation-limit/keys", new { });

        var problem = await Operator.ProblemAsync(third, HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("Revoke"));
    }
}

public class Expiring_keys
{
    [Test]
    public async Task Should_refuse_a_key_with_401_once_it_expired()
    {
        await Operator.CreateAsync(Operator.ServiceBody("expiry-tributi"));
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(4);
        var issued = await Operator.OkAsync(HttpMethod.Post, "/services/expiry-tributi/keys", new { expires_at = expiresAt });
        using var client = Operator.ClientWith(issued.GetProperty("api_key").GetString()!);
        await Operator.AcceptedAsync(client, Citizens.NewFiscalCode());

        await Task.Delay(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500));

        await Operator.ProblemAsync(await Operator.SubmitAsync(client, Citizens.NewFiscalCode()), HttpStatusCode.Unauthorized);
        var keys = (await Operator.OkAsync(HttpMethod.Get, "/services/expiry-tributi/keys")).EnumerateArray();
        Assert.That(keys.Select(k => k.GetProperty("status").GetString()), Is.EquivalentTo(new[] { "active", "expired" }));
    }

    [Test]
    public async Task Should_refuse_an_expiry_in_the_past_naming_the_field()
    {
        await Operator.CreateAsync(Operator.ServiceBody("expiry-past"));

        var response = await Operator.SendAsync(HttpMethod.Post, "/services/expiry-past/keys", new { expires_at = DateTimeOffset.UtcNow.AddMinutes(-1) });

        var problem = await Operator.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("expires_at", out _), Is.True);
    }
}
