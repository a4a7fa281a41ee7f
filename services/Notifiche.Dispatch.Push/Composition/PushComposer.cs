using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Dispatch.Push.Sending;

namespace Notifiche.Dispatch.Push.Composition;

/// <summary>Title = the service's name; body = the subject, or a generic line in the citizen's language when the push is anonymous.</summary>
public sealed class PushComposer(IOptions<PushOptions> options)
{
    public PushNotification Compose(SendPush push)
    {
        var anonymous = options.Value.AnonymousBody;
        var body = push.Anonymous ? anonymous.GetValueOrDefault(push.Language) ?? anonymous["it"] : push.Subject;
        // A reminder opens the notice it reminds of: that is the inbox entry.
        return new PushNotification(push.InboxNoticeId ?? push.NoticeId, push.ServiceName, body);
    }
}
