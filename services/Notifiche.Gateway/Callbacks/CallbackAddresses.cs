using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Notifiche.Gateway.Callbacks;

/// <summary>
/// Which addresses a status callback may reach: public unicast addresses only, so that a service cannot make the
/// gateway probe the cloud metadata endpoint, the cluster's own services or anything else inside the network; networks
/// listed in <c>Gateway:Callbacks:AllowedNetworks</c> (CIDR) are allowed as well. Checked twice: on registration for a
/// literal IP (<see cref="IsAllowed(Uri)"/>), and on every connection for the addresses the name resolves to then
/// (<see cref="ConnectAsync"/>), so a DNS name that later resolves to a private address (DNS rebinding) is refused too.
/// </summary>
public sealed class CallbackAddresses(IOptions<CallbackOptions> options)
{
    /// <summary>Every range that is not public unicast (IANA special-purpose registries): loopback, private, shared, link-local, …</summary>
    private static readonly IPNetwork[] NotPublic = [.. new[]
    {
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8",
    }.Select(IPNetwork.Parse)];

    private readonly IPNetwork[] _allowed = [.. options.Value.AllowedNetworks.Select(IPNetwork.Parse)];

    public bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return _allowed.Any(n => n.Contains(address)) || !NotPublic.Any(n => n.Contains(address));
    }

    /// <summary>False for a URL whose host is a literal IP (or <c>localhost</c>) outside what callbacks may reach.</summary>
    public bool IsAllowed(Uri url)
    {
        if (url.IsLoopback && !IPAddress.TryParse(url.IdnHost, out _))
        {
            return IsAllowed(IPAddress.Loopback);
        }

        return !IPAddress.TryParse(url.IdnHost, out var address) || IsAllowed(address);
    }

    /// <summary>
    /// The callback client's <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host and connects only to
    /// the addresses allowed; none allowed is a <see cref="CallbackAddressRefusedException"/> (a final failure).
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var usable = addresses.Where(IsAllowed).ToArray();
        if (usable.Length == 0)
        {
            throw new CallbackAddressRefusedException();
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>The callback's host resolves only to addresses callbacks may not reach (see <see cref="CallbackAddresses"/>).</summary>
public sealed class CallbackAddressRefusedException()
    : Exception("the callback's address is not public (loopback, private, link-local or reserved) and not in Gateway:Callbacks:AllowedNetworks");
