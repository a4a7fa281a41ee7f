using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Options;
using Notifiche.ServiceDefaults;

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

    /// <summary>
    /// What keeps <paramref name="fcm"/> from working, checked when the host starts (issue 16): the project id and a
    /// readable service-account key. Never the key's content.
    /// </summary>
    public static IEnumerable<string?> Problems(FcmOptions fcm)
    {
        yield return Secrets.Problem("Push:Fcm:ProjectId", fcm.ProjectId, minimumLength: 1);
        if (Secrets.Problem("Push:Fcm:CredentialsFile", fcm.CredentialsFile, minimumLength: 1) is { } missing)
        {
            yield return missing;
            yield break;
        }

        string? unreadable = null;
        try
        {
            CredentialFactory.FromFile<ServiceAccountCredential>(fcm.CredentialsFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            unreadable = $"Push:Fcm:CredentialsFile ({fcm.CredentialsFile}) cannot be read ({e.GetType().Name}): mount the Firebase service-account JSON key there, readable by the service's user.";
        }
        catch (Exception e)
        {
            unreadable = $"Push:Fcm:CredentialsFile ({fcm.CredentialsFile}) is not a Firebase service-account JSON key ({e.GetType().Name}): download one from the Firebase console (Project settings → Service accounts).";
        }

        yield return unreadable;
    }
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
