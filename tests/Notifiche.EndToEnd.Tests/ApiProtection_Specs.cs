using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Issue 16, point 8: every public API refuses a body over <c>Api:MaxRequestBodyBytes</c> before parsing it (413
/// naming the limit), and an address that keeps failing to authenticate is throttled (429 with Retry-After) while
/// requests that authenticate are never counted. The gateway and Preferences as their Program.cs compose them, on a
/// vhost and databases of their own, with a small allowance of failures. And the management port of both (point 8).
/// </summary>
public class Protecting_the_public_apis
{
    private RabbitMqTestVhost _vhost = null!;
    private PostgresTestDatabase _gatewayDatabase = null!;
    private PostgresTestDatabase _preferencesDatabase = null!;
    private WebApplication _gateway = null!;
    private WebApplication _preferences = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _vhost = await RabbitMqTestVhost.CreateAsync("api-protection");
        _gatewayDatabase = await PostgresTestDatabase.CreateAsync("api_protection_gateway");
        _preferencesDatabase = await PostgresTestDatabase.CreateAsync("api_protection_preferences");
        var settings = new TestSettings(TestBroker.FromEnvironment(_vhost.Name))
        {
            Overrides = new Dictionary<string, string?>
            {
                ["Api:FailedAuthentication:Burst"] = "5",
                ["Api:FailedAuthentication:PerMinute"] = "6",
            },
        };
        _gateway = await ServiceHosts.StartAsync(ServiceHosts.Gateway, settings.Gateway(_gatewayDatabase.ConnectionString), l => l.AddProvider(LogCapture.Instance));
        _preferences = await ServiceHosts.StartAsync(ServiceHosts.Preferences, settings.Preferences(_preferencesDatabase.ConnectionString), l => l.AddProvider(LogCapture.Instance));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _gateway.DisposeAsync();
        await _preferences.DisposeAsync();
        await _gatewayDatabase.DisposeAsync();
        await _preferencesDatabase.DisposeAsync();
        await _vhost.DisposeAsync();
    }

    [Test]
    public async Task Should_refuse_a_body_over_the_limit_with_a_problem_naming_it()
    {
        using var gateway = Client(_gateway, "198.51.100.1");
        gateway.DefaultRequestHeaders.Add("X-Api-Key", "ntf_whatever");
        var notice = await gateway.PostAsync("/api/v1/notices", Json(new string('x', 200 * 1024)));
        using var preferences = Client(_preferences, "198.51.100.1");
        preferences.DefaultRequestHeaders.Add("X-Api-Key", TestSettings.AppBackendKey);
        var profile = await preferences.PutAsync($"/api/v1/profiles/{Citizens.NewFiscalCode()}", Json(new string('x', 2 * 1024 * 1024)));

        foreach (var response in new[] { notice, profile })
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("at most 131072 bytes (Api:MaxRequestBodyBytes)"));
        }
    }

    [Test]
    public async Task Should_throttle_an_address_that_keeps_failing_to_authenticate_and_no_other()
    {
        using var attacker = Client(_gateway, "203.0.113.7");
        attacker.DefaultRequestHeaders.Add("X-Api-Key", "ntf_a-wrong-guess-of-a-service-key-0000");
        var notice = $"/api/v1/notices/{Guid.NewGuid()}";
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await attacker.GetAsync(notice)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"failure {i + 1}");
        }

        var throttled = await attacker.GetAsync(notice);
        Assert.That(throttled.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(throttled.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(throttled.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        // Still refused a moment later: the limiter's replenishment heartbeat (every 100 ms) has run meanwhile, and the
        // allowance refills one failure every 10 s here, not at every heartbeat.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.That((await attacker.GetAsync(notice)).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "after 300 ms");

        using var neighbour = Client(_gateway, "203.0.113.8");
        neighbour.DefaultRequestHeaders.Add("X-Api-Key", "ntf_another-wrong-guess-of-a-service-key");
        Assert.That((await neighbour.GetAsync(notice)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "another address is not throttled");
    }

    [Test]
    public async Task Should_never_count_requests_that_authenticate()
    {
        using var operatorClient = Client(_gateway, "203.0.113.9", management: true);
        operatorClient.DefaultRequestHeaders.Add("X-Operator-Key", TestSettings.OperatorKey);

        for (var i = 0; i < 30; i++)
        {
            Assert.That((await operatorClient.GetAsync("/api/v1/admin/services")).StatusCode, Is.EqualTo(HttpStatusCode.OK), $"call {i + 1}");
        }
    }

    /// <summary>
    /// A client as the ingress would forward it (the test settings trust 127.0.0.1 as a proxy), on the host's public
    /// port or its management port.
    /// </summary>
    private static HttpClient Client(WebApplication host, string address, bool management = false)
    {
        var client = new HttpClient { BaseAddress = management ? ServiceHosts.ManagementAddress(host) : ServiceHosts.PublicAddress(host) };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    /// <summary>
    /// Issue 16, point 8: <c>/metrics</c>, <c>/health/*</c> and the admin API answer on the management port only; the
    /// public port answers them 404 (even with the operator key, even when the Host header names the management port),
    /// and the management port answers the public API 404.
    /// </summary>
    [Test]
    public async Task Should_serve_metrics_health_and_the_admin_api_on_the_management_port_only()
    {
        string[] management = ["/metrics", "/health/live", "/health/ready", "/health/bus", "/api/v1/admin/services"];
        using var gatewayPublic = Client(_gateway, "203.0.113.20");
        gatewayPublic.DefaultRequestHeaders.Add("X-Operator-Key", TestSettings.OperatorKey);
        using var gatewayManagement = Client(_gateway, "203.0.113.20", management: true);
        gatewayManagement.DefaultRequestHeaders.Add("X-Operator-Key", TestSettings.OperatorKey);
        using var preferencesPublic = Client(_preferences, "203.0.113.20");
        using var preferencesManagement = Client(_preferences, "203.0.113.20", management: true);
        foreach (var path in management)
        {
            Assert.That((await gatewayManagement.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.OK), $"gateway management {path}");
            var refused = await gatewayPublic.GetAsync(path);
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), $"gateway public {path}");
            Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), $"gateway public {path}");
            using var spoofed = new HttpRequestMessage(HttpMethod.Get, path);
            spoofed.Headers.Host = $"127.0.0.1:{ServiceHosts.ManagementAddress(_gateway).Port}";
            Assert.That((await gatewayPublic.SendAsync(spoofed)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), $"gateway public {path}, Host naming the management port");
        }

        foreach (var path in management.SkipLast(1))
        {
            Assert.That((await preferencesManagement.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.OK), $"preferences management {path}");
            Assert.That((await preferencesPublic.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), $"preferences public {path}");
        }

        gatewayManagement.DefaultRequestHeaders.Add("X-Api-Key", "ntf_whatever");
        Assert.That((await gatewayManagement.GetAsync($"/api/v1/notices/{Guid.NewGuid()}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the public API on the management port");
        Assert.That((await gatewayManagement.GetAsync("/openapi/v1.json")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the API document on the management port");
        Assert.That((await gatewayPublic.GetAsync("/openapi/v1.json")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the API document on the public port");
    }

    [Test]
    public void Should_refuse_a_management_port_that_is_also_a_public_port()
    {
        var port = FreePort.Next();
        var settings = new TestSettings(TestBroker.FromEnvironment(_vhost.Name)).Gateway(_gatewayDatabase.ConnectionString);
        settings["Urls"] = $"http://127.0.0.1:{port}";
        settings["Management:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var refused = Assert.ThrowsAsync<InvalidOperationException>(() => ServiceHosts.StartAsync(ServiceHosts.Gateway, settings, l => l.AddProvider(LogCapture.Instance)));
        Assert.That(refused!.Message, Does.Contain("Management:Port").And.Contain("is also a public port"));
    }

    private static StringContent Json(string filler) =>
        new(JsonSerializer.Serialize(new { fiscal_code = "RSSMRA85T10A562S", filler }), Encoding.UTF8, "application/json");
}
