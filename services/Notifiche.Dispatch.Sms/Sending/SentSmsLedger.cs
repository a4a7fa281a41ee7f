using Microsoft.Extensions.Caching.Memory;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Sms.Sending;

/// <summary>
/// Remembers, for a while, the notices whose SMS a provider already accepted in this process, so that a retried or
/// redelivered <c>SendSms</c> (e.g. publishing the outcome failed after the send) is not sent and billed twice.
/// In memory only: it does not survive a restart nor span replicas (Twilio has no idempotency key to lean on).
/// </summary>
public sealed class SentSmsLedger(IMemoryCache cache)
{
    private static readonly TimeSpan Remember = TimeSpan.FromHours(1);

    public bool TryGet(Guid noticeId, out DeliveryResult.Sent? sent) => cache.TryGetValue(Key(noticeId), out sent);

    public void Record(Guid noticeId, DeliveryResult.Sent sent) => cache.Set(Key(noticeId), sent, Remember);

    private static string Key(Guid noticeId) => $"sms-sent:{noticeId:N}";
}
