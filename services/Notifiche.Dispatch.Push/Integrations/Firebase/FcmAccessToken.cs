using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Options;

namespace Notifiche.Dispatch.Push.Integrations.Firebase;

/// <summary>
/// OAuth2 access tokens for FCM from the service-account key file. Google.Apis.Auth caches the token and refreshes it
/// before it expires, and asks the <c>token_uri</c> written in the file.
/// </summary>
public sealed class FcmAccessToken(IOptions<PushOptions> options)
{
    private readonly Lazy<ITokenAccess> _credential = new(() =>
        CredentialFactory.FromFile<ServiceAccountCredential>(options.Value.Fcm.CredentialsFile)
            .ToGoogleCredential()
            .CreateScoped(FcmOptions.Scope));

    public Task<string> GetAsync(CancellationToken ct) => _credential.Value.GetAccessTokenForRequestAsync(cancellationToken: ct);
}

/// <summary>Puts the bearer token on every attempt (it sits inside the resilience handler, so a retry gets a current token).</summary>
public sealed class FcmAuthenticationHandler(FcmAccessToken token) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        request.Headers.Authorization = new("Bearer", await token.GetAsync(ct));
        return await base.SendAsync(request, ct);
    }
}
