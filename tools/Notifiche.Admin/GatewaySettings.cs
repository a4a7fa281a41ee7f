using System.CommandLine;

namespace Notifiche.Admin;

/// <summary>
/// Where the gateway is and the operator's key: each option falls back to an environment variable. The key is best
/// given by environment variable (a command line is visible to other users in ps) and is never printed.
/// </summary>
public sealed record GatewaySettings(Uri Url, string OperatorKey)
{
    public const string UrlVariable = "NOTIFICHE_GATEWAY_URL";
    public const string OperatorKeyVariable = "NOTIFICHE_OPERATOR_KEY";
    public const string DefaultUrl = "http://localhost:5081";

    public static readonly Option<string> UrlOption = new("--url")
    {
        Description = $"Base URL of the gateway's management port, where the admin API answers [env {UrlVariable}, default {DefaultUrl} (the standalone platform)]", Recursive = true,
    };

    public static readonly Option<string> OperatorKeyOption = new("--operator-key")
    {
        Description = $"The gateway's operator key (its Gateway:OperatorKey) [env {OperatorKeyVariable}; prefer the variable: a command line is visible in ps]",
        Recursive = true,
    };

    public static IEnumerable<Option> Options => [UrlOption, OperatorKeyOption];

    public static GatewaySettings From(ParseResult parse)
    {
        var url = parse.GetValue(UrlOption) ?? Variable(UrlVariable) ?? DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new AdminException($"'{url}' is not an http(s) URL. Give the gateway's base URL with --url or {UrlVariable}, e.g. {DefaultUrl}.");
        }

        var key = parse.GetValue(OperatorKeyOption) ?? Variable(OperatorKeyVariable)
            ?? throw new AdminException($"No operator key: set {OperatorKeyVariable} (or --operator-key) to the gateway's Gateway:OperatorKey "
                + "(the standalone platform prints it at start).");
        return new GatewaySettings(uri, key);
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
