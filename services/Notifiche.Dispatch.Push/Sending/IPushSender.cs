using Notifiche.Dispatch.Ledger;

namespace Notifiche.Dispatch.Push.Sending;

/// <summary>What a device shows: title, body, and the notice id the app opens.</summary>
public sealed record PushNotification(Guid NoticeId, string Title, string Body);

/// <summary>Sends a notification to one device token (FCM, the sandbox).</summary>
public interface IPushSender
{
    /// <summary>Sends to one device, calling <paramref name="handOff"/> right before the request can reach the provider.</summary>
    Task<PushResult> SendAsync(PushNotification notification, string deviceToken, ProviderHandOff handOff, CancellationToken ct);
}
