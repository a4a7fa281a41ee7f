using Microsoft.Extensions.Options;

namespace Notifiche.Dispatch.Telegram.Integrations.BotApi;

/// <summary>
/// Puts the bot token where the Bot API wants it, as the first path segment (<c>/bot&lt;token&gt;/sendMessage</c>), at the
/// last moment: the client's base address, Refit's parameters and anything outside this handler see the URL without it.
/// </summary>
public sealed class BotTokenHandler(IOptions<TelegramOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (request.RequestUri is { IsAbsoluteUri: true } uri && !uri.AbsolutePath.StartsWith("/bot", StringComparison.Ordinal))
        {
            request.RequestUri = new UriBuilder(uri) { Path = $"/bot{options.Value.BotApi.Token}{uri.AbsolutePath}" }.Uri;
        }

        return base.SendAsync(request, ct);
    }
}
