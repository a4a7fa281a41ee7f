using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Notifiche.Gateway.Registry;

/// <summary>Authentication schemes of the gateway: a service's API key, and the platform operator's key.</summary>
public static class KeySchemes
{
    public const string Service = "ServiceKey";
    public const string Operator = "OperatorKey";
    public const string OperatorHeader = "X-Operator-Key";
    public const string OperatorKeySetting = "Gateway:OperatorKey";
    public const string ServiceIdClaim = "service_id";

    /// <summary>The authenticated service of the request (set by <see cref="ServiceKeyHandler"/>).</summary>
    public static ServiceRecord CallingService(this HttpContext context) =>
        context.Items[typeof(ServiceRecord)] as ServiceRecord
        ?? throw new InvalidOperationException("endpoint is not protected by the service key scheme");

    /// <summary>The request came with a <see cref="KeyTypes.Test"/> key: its notices are simulated, never delivered.</summary>
    public static bool CallingWithTestKey(this HttpContext context) =>
        (context.Items[typeof(KeyHolder)] as KeyHolder
            ?? throw new InvalidOperationException("endpoint is not protected by the service key scheme")).IsTest;
}

/// <summary>Authenticates a PA service by <c>X-Api-Key</c>; the key is looked up by its SHA-256.</summary>
public sealed class ServiceKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ServiceRegistry registry)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(ApiKeys.Header, out var values) || string.IsNullOrWhiteSpace(values.ToString()))
        {
            return AuthenticateResult.NoResult();
        }

        var holder = await registry.FindByKeyAsync(values.ToString().Trim(), Context.RequestAborted);
        if (holder is null)
        {
            return AuthenticateResult.Fail("unknown or revoked API key");
        }

        var service = holder.Service;
        Context.Items[typeof(ServiceRecord)] = service;
        Context.Items[typeof(KeyHolder)] = holder;
        var identity = new ClaimsIdentity([new Claim(KeySchemes.ServiceIdClaim, service.Id)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Missing or unknown API key",
            detail: $"Send the key issued to your service in the {ApiKeys.Header} header. Ask the platform operator for a key if you have none, or a new one if it was revoked.")
        .ExecuteAsync(Context);
}
