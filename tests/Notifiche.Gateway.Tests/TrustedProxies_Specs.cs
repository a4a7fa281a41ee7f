using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifiche.Gateway.Governance;

namespace Notifiche.Gateway.Tests;

/// <summary>Issue 16, point 6: X-Forwarded-For is believed only from the proxies the operator configured.</summary>
public class Trusting_forwarded_headers
{
    [Test]
    public void Should_believe_no_proxy_by_default_not_even_loopback()
    {
        var options = Options(new Dictionary<string, string?>());

        Assert.That(options.KnownProxies, Is.Empty, "ASP.NET Core's default trusts ::1");
        Assert.That(options.KnownIPNetworks, Is.Empty, "ASP.NET Core's default trusts 127.0.0.0/8");
    }

    [Test]
    public void Should_believe_the_configured_networks_and_refuse_a_malformed_one()
    {
        var options = Options(new Dictionary<string, string?> { ["Gateway:TrustedProxies:Networks:0"] = "10.42.0.0/16", ["Gateway:TrustedProxies:Networks:1"] = "10.0.0.7" });
        Assert.That(options.KnownIPNetworks.Select(n => n.ToString()), Is.EquivalentTo(new[] { "10.42.0.0/16", "10.0.0.7/32" }));
        Assert.That(options.ForwardedHeaders, Is.EqualTo(ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto));

        var failure = Assert.Throws<InvalidOperationException>(() => Options(new Dictionary<string, string?> { ["Gateway:TrustedProxies:Networks:0"] = "10.42.0.1/16" }));
        Assert.That(failure!.Message, Does.Contain("Gateway:TrustedProxies:Networks"));
    }

    private static ForwardedHeadersOptions Options(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddTrustedProxies();
        return builder.Services.BuildServiceProvider().GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
    }
}
