using Microsoft.AspNetCore.HttpOverrides;

namespace Notifiche.Gateway.Governance;

/// <summary>
/// Bound from <c>Gateway:TrustedProxies</c>: the reverse proxies (an ingress controller, a load balancer) whose
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> the gateway believes, as addresses (<c>10.0.0.7</c>) or networks
/// (<c>10.42.0.0/16</c>). Empty (the default): no forwarded header is believed — not even from loopback, ASP.NET Core's
/// own default — so a client cannot pick the source address a service's CIDR allow-list checks.
/// </summary>
public sealed class TrustedProxiesOptions
{
    public const string Section = "Gateway:TrustedProxies";

    public List<string> Networks { get; set; } = [];
}

public static class TrustedProxies
{
    public static IHostApplicationBuilder AddTrustedProxies(this IHostApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetSection(TrustedProxiesOptions.Section).Get<TrustedProxiesOptions>() ?? new TrustedProxiesOptions();
        var networks = new List<System.Net.IPNetwork>();
        foreach (var entry in configured.Networks)
        {
            var cidr = SourceNetworks.Normalize(entry, out var problem)
                ?? throw new InvalidOperationException($"{TrustedProxiesOptions.Section}:Networks: {problem}");
            networks.Add(System.Net.IPNetwork.Parse(cidr));
        }

        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var network in networks)
            {
                o.KnownIPNetworks.Add(network);
            }
        });
        return builder;
    }
}
