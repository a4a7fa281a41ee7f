using MassTransit;
using Notifiche.Contracts;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Ledger;

/// <summary>What every dispatcher publishes around its provider call, written once for the three of them.</summary>
public static class DispatchOutcomes
{
    /// <summary>
    /// A command past its notice's time to live is never sent: publishes <see cref="NotificationExpired"/> and answers true.
    /// </summary>
    public static async Task<bool> ExpiredAsync(ConsumeContext context, Guid noticeId, string channel, DateTimeOffset expiresAt, TimeProvider clock)
    {
        if (clock.GetUtcNow() <= expiresAt)
        {
            return false;
        }

        await context.Publish(new NotificationExpired { NoticeId = noticeId, Channel = channel, ExpiredAt = clock.GetUtcNow() });
        return true;
    }

    /// <summary>
    /// Sent → <see cref="NotificationSent"/> (with what <paramref name="enrich"/> adds, e.g. SMS segments and cost);
    /// permanent or unknown → <see cref="NotificationFailed"/>; transient → thrown for the endpoint's retry policy.
    /// </summary>
    public static Task PublishAsync(ConsumeContext context, Guid noticeId, string channel, DeliveryResult result, TimeProvider clock,
        Func<NotificationSent, NotificationSent>? enrich = null) => result switch
    {
        DeliveryResult.Sent sent => context.Publish((enrich ?? (s => s))(new NotificationSent
        {
            NoticeId = noticeId, Channel = channel, ProviderMessageId = sent.ProviderMessageId, SentAt = clock.GetUtcNow(),
        })),
        DeliveryResult.Permanent failed => context.Publish(new NotificationFailed
        {
            NoticeId = noticeId, Channel = channel, Permanent = true, Reason = failed.Reason, FailedAt = clock.GetUtcNow(),
        }),
        DeliveryResult.Unknown unknown => context.Publish(new NotificationFailed
        {
            NoticeId = noticeId, Channel = channel, Permanent = true, Reason = $"{DispatchLedger.OutcomeUnknown}: {unknown.Reason}", FailedAt = clock.GetUtcNow(),
        }),
        DeliveryResult.Transient transient => throw new TransientFailureException(transient.Reason),
        _ => throw new ArgumentOutOfRangeException(nameof(result), result.GetType().Name, "unknown delivery result"),
    };
}
