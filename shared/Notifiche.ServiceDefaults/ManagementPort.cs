using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Notifiche.ServiceDefaults;

/// <summary>
/// Issue 16, point 8: <c>/metrics</c>, <c>/health/*</c> and the operators' admin API answer on a separate management
/// port (<c>Management:Port</c>, 8081 by default), which listens on the same interfaces as the public URLs; the public
/// port answers 404 for them, and the management port answers 404 for everything else. An endpoint belongs to the
/// management port when it carries <see cref="ManagementEndpoint"/> (<see cref="ManagementPort.OnManagementPort{T}"/>).
/// The port is told apart by the connection's local port, not by the Host header a client chooses.
/// </summary>
public static class ManagementPort
{
    public const string PortKey = "Management:Port";

    /// <summary>The management port when <see cref="PortKey"/> is not set (the images publish 8080 and 8081).</summary>
    public const int DefaultPort = 8081;

    /// <summary>The management port a host's configuration asks for; a value that is not a TCP port stops the host.</summary>
    public static int Of(IConfiguration configuration)
    {
        var text = configuration[PortKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultPort;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new InvalidOperationException($"{PortKey} must be a TCP port (1-65535), not '{text}'.");
    }

    /// <summary>
    /// Adds the management port to the addresses the host listens on (<c>urls</c>, or the <c>ASPNETCORE_HTTP_PORTS</c> it
    /// would otherwise use, or Kestrel's default): plain HTTP on the same hosts as the public addresses. Refuses a
    /// management port that is also a public one.
    /// </summary>
    public static void Listen(IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var port = Of(configuration);
        var urls = Split(configuration["urls"]);
        if (urls.Count == 0)
        {
            urls = Split(configuration["http_ports"]).Select(p => $"http://*:{p}").ToList();
        }

        if (urls.Count == 0)
        {
            urls = ["http://localhost:5000"]; // Kestrel's own default when nothing is configured
        }

        var publicAddresses = urls.Select(BindingAddress.Parse).ToList();
        if (publicAddresses.Any(a => a.Port == port))
        {
            throw new InvalidOperationException(
                $"{PortKey} ({port}) is also a public port ({string.Join(';', urls)}): the management endpoints need a port of their own.");
        }

        var management = publicAddresses.Select(a => $"http://{(a.Host.Contains(':') && !a.Host.StartsWith('[') ? $"[{a.Host}]" : a.Host)}:{port}")
            .Distinct(StringComparer.OrdinalIgnoreCase);
        configuration["urls"] = string.Join(';', urls.Concat(management));
    }

    /// <summary>
    /// The gate, first in the pipeline after routing: a management endpoint reached on a public port, or any other
    /// endpoint reached on the management port, is treated as no endpoint at all (404, like an unknown path).
    /// </summary>
    public static void UseGate(WebApplication app)
    {
        var port = Of(app.Configuration);
        app.Use((context, next) =>
        {
            var onManagementPort = context.Connection.LocalPort == port;
            var endpoint = context.GetEndpoint();
            if (endpoint is not null && (endpoint.Metadata.GetMetadata<ManagementEndpoint>() is not null) != onManagementPort)
            {
                context.SetEndpoint(null);
            }

            return next(context);
        });
    }

    /// <summary>Serves these endpoints on the management port only.</summary>
    public static TBuilder OnManagementPort<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ManagementEndpoint.Instance);

    private static List<string> Split(string? list) =>
        (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}

/// <summary>Endpoint metadata: served on the management port only (<see cref="ManagementPort"/>).</summary>
public sealed class ManagementEndpoint
{
    public static readonly ManagementEndpoint Instance = new();

    private ManagementEndpoint()
    {
    }
}
