using System.Net;
using Notifiche.Testing;

namespace Notifiche.Governance.Tests;

public class Source_address_allow_list
{
    [Test]
    public async Task Should_refuse_requests_from_outside_the_services_networks_with_403()
    {
        var body = new Dictionary<string, object>
        {
            ["id"] = "cidr-regione", ["name"] = "Tributi", ["organization_name"] = "Regione", ["organization_fiscal_code"] = "80050050154",
            ["contact_email"] = "tributi@regione.example.it", ["allowed_source_cidrs"] = new[] { "10.0.0.0/8", "2001:db8::/32" },
        };
        using var service = Operator.ClientWith(await Operator.CreateAsync(body));

        var problem = await Operator.ProblemAsync(await Operator.SubmitAsync(service, Citizens.NewFiscalCode()), HttpStatusCode.Forbidden);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Source address not allowed"));
        Assert.That((await service.GetAsync($"/api/v1/notices/{Guid.NewGuid()}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden),
            "every endpoint of the service key, not only submissions");
        Assert.That((await service.GetAsync($"/api/v1/notices/{Guid.NewGuid()}/events")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden),
            "the audit trail");
        var callback = System.Net.Http.Json.JsonContent.Create(new { url = "https://callbacks.regione.example.it/notifiche", secret = new string('s', 40) });
        Assert.That((await service.PutAsync("/api/v1/callback", callback)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden),
            "the callback, which would otherwise let a stolen key redirect every status change");
        Assert.That((await service.GetAsync("/api/v1/callback")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await service.DeleteAsync("/api/v1/callback")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        // The test client connects from 127.0.0.1.
        await Operator.UpdateAsync("cidr-regione", new { allowed_source_cidrs = new[] { "10.0.0.0/8", "127.0.0.0/8" } });
        await Operator.AcceptedAsync(service, Citizens.NewFiscalCode());
    }
}

public class Rate_limit
{
    [Test]
    public async Task Should_answer_429_with_a_sane_retry_after_when_the_bucket_is_empty_and_recover()
    {
        // One notice every 5 s, bursts of 3: the fourth quick request finds the bucket empty.
        var key = await Operator.CreateAsync(Operator.ServiceBody("rate-comune"));
        await Operator.UpdateAsync("rate-comune", new { rate_limit = new { per_second = 0.2, burst = 3 } });
        using var service = Operator.ClientWith(key);
        for (var i = 0; i < 3; i++)
        {
            await Operator.AcceptedAsync(service, Citizens.NewFiscalCode());
        }

        var limited = await Operator.SubmitAsync(service, Citizens.NewFiscalCode());

        var problem = await Operator.ProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Rate limit exceeded"));
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.That(retryAfter, Is.Not.Null, "Retry-After in seconds");
        Assert.That(retryAfter!.Value.TotalSeconds, Is.InRange(1, 5));

        var metrics = await Platform.Hosts.Management.GetStringAsync("/metrics");
        var refused = metrics.Split('\n').Single(l => l.StartsWith("notifiche_notices_refused_total{", StringComparison.Ordinal)
            && l.Contains("service_id=\"rate-comune\""));
        Assert.That(refused, Does.Contain("reason=\"RATE_LIMITED\""));
        Assert.That(refused[(refused.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], Is.EqualTo("1"));

        await Task.Delay(retryAfter.Value + TimeSpan.FromMilliseconds(200));
        await Operator.AcceptedAsync(service, Citizens.NewFiscalCode());
    }

    [Test]
    public async Task Should_let_through_exactly_the_burst_of_concurrent_requests()
    {
        var key = await Operator.CreateAsync(Operator.ServiceBody("rate-burst"));
        await Operator.UpdateAsync("rate-burst", new { rate_limit = new { per_second = 0.01, burst = 5 } });
        using var service = Operator.ClientWith(key);

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Operator.SubmitAsync(service, Citizens.NewFiscalCode())));

        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.Created), Is.EqualTo(5));
        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests), Is.EqualTo(7));
    }
}

public class Daily_quota
{
    [Test]
    public async Task Should_refuse_notices_past_the_quota_with_429_until_midnight_utc_but_replay_an_accepted_one()
    {
        var key = await Operator.CreateAsync(Operator.ServiceBody("quota-ufficio"));
        await Operator.UpdateAsync("quota-ufficio", new { daily_notice_quota = 2 });
        using var service = Operator.ClientWith(key);
        await Operator.AcceptedAsync(service, Citizens.NewFiscalCode());
        using var first = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notices")
        {
            Content = System.Net.Http.Json.JsonContent.Create(Operator.Notice("RSSMRA85T10A562S")),
        };
        first.Headers.Add("Idempotency-Key", "quota-1");
        Assert.That((await service.SendAsync(first)).StatusCode, Is.EqualTo(HttpStatusCode.Created));

        var third = await Operator.SubmitAsync(service, Citizens.NewFiscalCode());

        var problem = await Operator.ProblemAsync(third, HttpStatusCode.TooManyRequests);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Daily notice quota reached"));
        var untilMidnight = DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow;
        Assert.That(third.Headers.RetryAfter?.Delta?.TotalSeconds, Is.InRange(untilMidnight.TotalSeconds - 60, untilMidnight.TotalSeconds + 60));

        using var retry = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notices")
        {
            Content = System.Net.Http.Json.JsonContent.Create(Operator.Notice("RSSMRA85T10A562S")),
        };
        retry.Headers.Add("Idempotency-Key", "quota-1");
        Assert.That((await service.SendAsync(retry)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "a retry of an accepted notice is not a new notice");

        await Operator.UpdateAsync("quota-ufficio", new { daily_notice_quota = 3 });
        await Operator.AcceptedAsync(service, Citizens.NewFiscalCode());
        await Operator.ProblemAsync(await Operator.SubmitAsync(service, Citizens.NewFiscalCode()), HttpStatusCode.TooManyRequests);
    }
}

public class Source_address_behind_a_proxy
{
    /// <summary>The test gateway trusts 127.0.0.1, where the test client connects from, as its reverse proxy (Gateway:TrustedProxies).</summary>
    [Test]
    public async Task Should_check_the_address_a_trusted_proxy_forwards()
    {
        var body = new Dictionary<string, object>
        {
            ["id"] = "cidr-proxied", ["name"] = "Tributi", ["organization_name"] = "Regione", ["organization_fiscal_code"] = "80050050154",
            ["contact_email"] = "tributi@regione.example.it", ["allowed_source_cidrs"] = new[] { "10.0.0.0/8" },
        };
        using var service = Operator.ClientWith(await Operator.CreateAsync(body));

        Assert.That((await SubmitFromAsync(service, "10.1.2.3")).StatusCode, Is.EqualTo(HttpStatusCode.Created), "forwarded from inside 10.0.0.0/8");
        Assert.That((await SubmitFromAsync(service, "192.0.2.7")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "forwarded from outside");
        Assert.That((await SubmitFromAsync(service, null)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the proxy's own address");
    }

    private static Task<HttpResponseMessage> SubmitFromAsync(HttpClient service, string? client)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notices")
        {
            Content = System.Net.Http.Json.JsonContent.Create(Operator.Notice(Citizens.NewFiscalCode())),
        };
        if (client is not null)
        {
            request.Headers.Add("X-Forwarded-For", client);
        }

        return service.SendAsync(request);
    }
}

public class Limits_across_gateway_instances
{
    private static HttpClient? _replica;

    /// <summary>A second gateway on the same database, started once for these specs.</summary>
    private static async Task<HttpClient> ReplicaAsync() => _replica ??= await Platform.Hosts.StartGatewayReplicaAsync();

    private static HttpClient On(HttpClient gateway, string apiKey)
    {
        var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    [Test]
    public async Task Should_share_one_token_bucket_between_two_gateways()
    {
        var key = await Operator.CreateAsync(Operator.ServiceBody("shared-rate"));
        await Operator.UpdateAsync("shared-rate", new { rate_limit = new { per_second = 0.01, burst = 6 } });
        using var first = Operator.ClientWith(key);
        using var second = On(await ReplicaAsync(), key);

        var answers = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(i => Operator.SubmitAsync(i % 2 == 0 ? first : second, Citizens.NewFiscalCode())));

        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.Created), Is.EqualTo(6));
        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests), Is.EqualTo(10));
    }

    [Test]
    public async Task Should_share_one_daily_quota_between_two_gateways()
    {
        var key = await Operator.CreateAsync(Operator.ServiceBody("shared-quota"));
        await Operator.UpdateAsync("shared-quota", new { daily_notice_quota = 5 });
        using var first = Operator.ClientWith(key);
        using var second = On(await ReplicaAsync(), key);

        var answers = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(i => Operator.SubmitAsync(i % 2 == 0 ? first : second, Citizens.NewFiscalCode())));

        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.Created), Is.EqualTo(5));
        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests), Is.EqualTo(7));
    }

    /// <summary>
    /// A gateway remembers an authenticated key for Gateway:Keys:CacheFor (5 s) instead of reading it on every request: a
    /// revocation or suspension made through another instance must reach it within that time, and not after.
    /// </summary>
    [Test]
    public async Task Should_refuse_a_key_revoked_or_a_service_suspended_on_another_gateway_within_the_key_cache_time()
    {
        var key = await Operator.CreateAsync(Operator.ServiceBody("cache-revoked"));
        var keyId = (await Operator.OkAsync(HttpMethod.Get, "/services/cache-revoked/keys")).EnumerateArray().Single().GetProperty("key_id").GetString();
        var suspendedKey = await Operator.CreateAsync(Operator.ServiceBody("cache-suspended"));
        using var revoked = On(await ReplicaAsync(), key);
        using var suspended = On(await ReplicaAsync(), suspendedKey);
        await Operator.AcceptedAsync(revoked, Citizens.NewFiscalCode());
        await Operator.AcceptedAsync(suspended, Citizens.NewFiscalCode());

        await Operator.OkAsync(HttpMethod.Post, $"/services/cache-revoked/keys/{keyId}/revoke");
        await Operator.OkAsync(HttpMethod.Post, "/services/cache-suspended/suspend");

        var changedAt = DateTime.UtcNow;
        Assert.That(await AnswerWithinAsync(revoked, HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(15)), Is.True,
            "the replica still accepted a key revoked on the other gateway 15 s later");
        Assert.That(await AnswerWithinAsync(suspended, HttpStatusCode.Forbidden, TimeSpan.FromSeconds(15)), Is.True,
            "the replica still accepted notices of a service suspended on the other gateway 15 s later");
        Assert.That(DateTime.UtcNow - changedAt, Is.LessThan(TimeSpan.FromSeconds(12)));
    }

    private static async Task<bool> AnswerWithinAsync(HttpClient service, HttpStatusCode wanted, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if ((await Operator.SubmitAsync(service, Citizens.NewFiscalCode())).StatusCode == wanted)
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }

    [Test]
    public async Task Should_give_a_new_service_a_default_rate_limit_and_daily_quota_unless_its_request_lifts_them()
    {
        await Operator.CreateAsync(Operator.ServiceBody("limits-default"), live: false);
        var limited = await Operator.OkAsync(HttpMethod.Get, "/services/limits-default");
        Assert.That(limited.GetProperty("rate_limit").GetProperty("per_second").GetDouble(), Is.EqualTo(10));
        Assert.That(limited.GetProperty("rate_limit").GetProperty("burst").GetInt32(), Is.EqualTo(50));
        Assert.That(limited.GetProperty("daily_notice_quota").GetInt32(), Is.EqualTo(10_000));

        var body = new Dictionary<string, object?>
        {
            ["id"] = "limits-lifted", ["name"] = "Tributi", ["organization_name"] = "Regione di Prova",
            ["organization_fiscal_code"] = Operator.OrganizationFiscalCode, ["contact_email"] = "tributi@regione.example.it",
            ["rate_limit"] = null, ["daily_notice_quota"] = null,
        };
        await Operator.CreateAsync(body, live: false);
        var lifted = await Operator.OkAsync(HttpMethod.Get, "/services/limits-lifted");
        Assert.That(lifted.GetProperty("rate_limit").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(lifted.GetProperty("daily_notice_quota").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
    }
}
