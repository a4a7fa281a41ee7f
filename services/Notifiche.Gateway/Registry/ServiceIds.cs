using System.Text.RegularExpressions;

namespace Notifiche.Gateway.Registry;

/// <summary>What a service id looks like: it names the service in URLs, the census and as its broker user.</summary>
public static partial class ServiceIds
{
    public const string Rule = "3-64 characters, lower-case letters, digits and '-'";

    public static bool IsValid(string id) => Pattern().IsMatch(id);

    /// <summary>
    /// Names the platform itself uses or may use (its services and broker users, the broker's own accounts, operator
    /// roles): a service registered as one of them could be mistaken for the platform in the census, the broker or logs.
    /// </summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        "notifiche", "admin", "administrator", "operator", "system", "gateway", "preferences", "dispatch", "root", "rabbitmq",
        "guest", "amq", "management", "standalone", "platform", "postgres", "health", "metrics",
    };

    /// <summary>Prefixes of the platform's own names (e.g. <c>notifiche-gateway</c>, <c>dispatch-email</c>).</summary>
    private static readonly string[] ReservedPrefixes = ["notifiche-", "dispatch-", "rabbitmq-", "amq-"];

    public static bool IsReserved(string id) =>
        Reserved.Contains(id) || ReservedPrefixes.Any(p => id.StartsWith(p, StringComparison.Ordinal));

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")]
    private static partial Regex Pattern();
}
