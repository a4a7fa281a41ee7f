using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Notifiche.ServiceDefaults;

/// <summary>A single configured secret in a header (the operator's key, the citizen app backend's key).</summary>
public sealed class StaticKeyOptions : AuthenticationSchemeOptions
{
    public string Header { get; set; } = "X-Api-Key";

    /// <summary>The expected secret; the host does not start without a good one (<see cref="Secrets"/>).</summary>
    public string? Key { get; set; }

    /// <summary>Role given to the caller, for authorization policies.</summary>
    public string Role { get; set; } = string.Empty;

    /// <summary>What the 401 tells the caller to do.</summary>
    public string Hint { get; set; } = string.Empty;
}

/// <summary>Authenticates by comparing the header with <see cref="StaticKeyOptions.Key"/> in constant time.</summary>
public sealed class StaticKeyHandler(IOptionsMonitor<StaticKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<StaticKeyOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Options.Header, out var values) || string.IsNullOrEmpty(Options.Key))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(values.ToString()));
        var wanted = SHA256.HashData(Encoding.UTF8.GetBytes(Options.Key));
        if (!CryptographicOperations.FixedTimeEquals(given, wanted))
        {
            return Task.FromResult(AuthenticateResult.Fail("wrong key"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, Options.Role)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Missing or wrong key", detail: Options.Hint)
            .ExecuteAsync(Context);
}

public static class StaticKeyAuthentication
{
    /// <summary>
    /// Adds a scheme and a same-named policy requiring it; the key is read from configuration key
    /// <paramref name="keySetting"/>, and the host refuses to start when it is missing, short or a placeholder.
    /// </summary>
    /// <param name="optional">An empty key turns the scheme off (every request refused) instead of stopping the start: for a
    /// feature that is off until configured (Telegram's webhook). A key that is given must still be a real secret.</param>
    public static IServiceCollection AddStaticKey(this IServiceCollection services, string scheme, string header, string keySetting, string hint,
        bool optional = false)
    {
        services.AddAuthentication().AddScheme<StaticKeyOptions, StaticKeyHandler>(scheme, null);
        services.AddOptions<StaticKeyOptions>(scheme).Configure<IConfiguration>((o, config) =>
        {
            o.Header = header;
            o.Key = config[keySetting];
            o.Role = scheme;
            o.Hint = $"{hint} Send it in the {header} header (configuration {keySetting}).";
        }).ValidateSecrets(o => [optional && string.IsNullOrEmpty(o.Key) ? null : Secrets.Problem(keySetting, o.Key)]);
        services.AddAuthorizationBuilder().AddPolicy(scheme, p => p.AddAuthenticationSchemes(scheme).RequireRole(scheme));
        return services;
    }
}
