using System.Text.RegularExpressions;

namespace Notifiche.Gateway.Registry;

/// <summary>What a service id looks like: it names the service in URLs, the census and as its broker user.</summary>
public static partial class ServiceIds
{
    public const string Rule = "3-64 characters, lower-case letters, digits and '-'";

    public static bool IsValid(string id) => Pattern().IsMatch(id);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")]
    private static partial Regex Pattern();
}
