using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Notifiche.ServiceDefaults;

/// <summary>
/// Issue 16, point 1: no secret anybody knows. The one rule every service applies to its secrets when it starts (options
/// validation with <c>ValidateOnStart</c>): a secret must be set, at least <see cref="MinimumLength"/> characters long
/// and not one of the placeholders this repository prints (<c>change-me…</c>, <c>demo-…</c>). A failure names the
/// setting and says what to do; it never shows the value.
/// </summary>
public static class Secrets
{
    public const int MinimumLength = 32;

    /// <summary>Beginnings of the values this repository's examples and manifests carry: never a real secret.</summary>
    public static readonly IReadOnlyList<string> Placeholders = ["change-me", "demo-"];

    /// <summary>What the operator should do, appended to every failure.</summary>
    public const string Remedy = "generate one (e.g. `openssl rand -base64 32`) and give it to the service through its environment or secret store";

    /// <summary>
    /// Null when <paramref name="value"/> is acceptable as the secret of <paramref name="setting"/>, else why not.
    /// <paramref name="minimumLength"/> is lower only for what a provider issues and we cannot choose (an SMTP password).
    /// </summary>
    public static string? Problem(string setting, string? value, int minimumLength = MinimumLength) =>
        Reason(value, minimumLength) is { } reason ? $"{setting} (environment {Variable(setting)}) {reason}: {Remedy}." : null;

    /// <summary>The environment variable of a setting (<c>Gateway__OperatorKey</c> for <c>Gateway:OperatorKey</c>).</summary>
    public static string Variable(string setting) => setting.Replace(":", "__", StringComparison.Ordinal);

    private static string? Reason(string? value, int minimumLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "is not set";
        }

        if (Placeholders.Any(p => value.Trim().StartsWith(p, StringComparison.OrdinalIgnoreCase)))
        {
            return "is a placeholder from the examples, known to anyone who read them";
        }

        return value.Length < minimumLength ? $"is shorter than {minimumLength} characters" : null;
    }

    /// <summary>
    /// The password of a PostgreSQL connection string, when it gives one and names a server beyond this machine. A
    /// server on loopback (or a Unix socket) is a developer's or a test's: reachable from this machine only, it may keep
    /// a throwaway password. No password at all is not ours to judge (a passfile, a client certificate).
    /// </summary>
    public static string? ConnectionStringProblem(string setting, string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return null;
        }

        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            return $"{setting} is not a valid PostgreSQL connection string.";
        }

        if (parsed.Password is null || (parsed.Host ?? "localhost").Split(',').All(IsLocalHost))
        {
            return null;
        }

        return Reason(parsed.Password, MinimumLength) is { } reason
            ? $"The Password in {setting} (environment {Variable(setting)}) {reason}: {Remedy}."
            : null;
    }

    /// <summary>
    /// True for a host name that can only mean this machine: <c>localhost</c>, a loopback address, a Unix socket path.
    /// No DNS lookup: a name that merely resolves to loopback today does not count.
    /// </summary>
    public static bool IsLocalHost(string host)
    {
        host = host.Trim();
        if (host.StartsWith('[') && host.IndexOf(']') is var end and > 0)
        {
            host = host[1..end]; // [v6] or [v6]:port
        }
        else if (host.Count(c => c == ':') == 1)
        {
            host = host[..host.IndexOf(':')]; // host:port
        }

        return host.Length == 0
            || host.StartsWith('/')
            || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>
    /// Validates the secrets of <typeparamref name="TOptions"/> when the host starts: <paramref name="problems"/> lists,
    /// for one options value, the problems of its secrets (nulls for the good ones; see <see cref="Problem"/>).
    /// </summary>
    public static OptionsBuilder<TOptions> ValidateSecrets<TOptions>(this OptionsBuilder<TOptions> builder, Func<TOptions, IEnumerable<string?>> problems)
        where TOptions : class
    {
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new SecretValidation<TOptions>(builder.Name, problems));
        return builder.ValidateOnStart();
    }

    private sealed class SecretValidation<TOptions>(string? name, Func<TOptions, IEnumerable<string?>> problems) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? optionsName, TOptions options)
        {
            if (name is not null && name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }

            var failures = problems(options).OfType<string>().ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
