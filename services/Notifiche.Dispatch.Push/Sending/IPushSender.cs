namespace Notifiche.Dispatch.Push.Sending;

/// <summary>What a device shows: title, body, and the notice id the app opens.</summary>
public sealed record PushNotification(Guid NoticeId, string Title, string Body);

/// <summary>Sends a notification to one device token (FCM, the sandbox).</summary>
public interface IPushSender
{
    Task<PushResult> SendAsync(PushNotification notification, string deviceToken, CancellationToken ct);
}
