using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;

namespace Notifiche.Dispatch.Push.Sending;

/// <summary>
/// The final per-token outcomes of a notice's push, kept in memory for a while: when a <c>SendPush</c> is retried
/// after a transient failure on one device, the devices that already got it (or rejected it) are not sent to again.
/// In memory only: it does not survive a restart nor span replicas, so a redelivery there may reach a device twice.
/// </summary>
public sealed class PushAttemptLedger(IMemoryCache cache)
{
    private static readonly TimeSpan Remember = TimeSpan.FromHours(1);

    public ConcurrentDictionary<string, PushResult> For(Guid noticeId) =>
        cache.GetOrCreate($"push-outcomes:{noticeId:N}", entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Remember;
            return new ConcurrentDictionary<string, PushResult>(StringComparer.Ordinal);
        })!;
}
