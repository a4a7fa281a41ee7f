using System.Net;

namespace Notifiche.Gateway.Governance;

/// <summary>A service's source-address allow-list: CIDRs (<see cref="IPNetwork"/>); a bare address means just that host.</summary>
public static class SourceNetworks
{
    /// <returns>The canonical CIDR, or null with <paramref name="problem"/> set.</returns>
    public static string? Normalize(string? input, out string? problem)
    {
        problem = null;
        var text = (input ?? string.Empty).Trim();
        if (!text.Contains('/') && IPAddress.TryParse(text, out var host))
        {
            host = Unmapped(host);
            text = $"{host}/{(host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}";
        }

        // A network whose address has bits past the prefix (203.0.113.9/24) is refused: was the host or the network meant?
        if (IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text.Split('/')[0], out var given)
            && Unmapped(given).Equals(network.BaseAddress))
        {
            return network.ToString();
        }

        problem = $"'{input}' is not a CIDR such as 203.0.113.0/24 or 2001:db8::/48 (the address bits after the prefix must be zero)";
        return null;
    }

    /// <summary>True when the list is empty (no restriction) or one of its networks contains the address.</summary>
    public static bool Allows(IReadOnlyCollection<string> cidrs, IPAddress? address)
    {
        if (cidrs.Count == 0)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        address = Unmapped(address);
        return cidrs.Any(c => IPNetwork.TryParse(c, out var network) && network.Contains(address));
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
