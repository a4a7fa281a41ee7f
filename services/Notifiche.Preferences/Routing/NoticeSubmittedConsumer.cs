using MassTransit;
using Notifiche.Contracts;

namespace Notifiche.Preferences.Routing;

/// <summary>Routes a submitted notice: publishes the plan, then one dispatch command per planned channel (none once expired).</summary>
public sealed class NoticeSubmittedConsumer(ProfileReader profiles, TimeProvider clock) : IConsumer<NoticeSubmitted>
{
    public async Task Consume(ConsumeContext<NoticeSubmitted> context)
    {
        var notice = context.Message;
        var profile = await profiles.FindAsync(notice.FiscalCode, context.CancellationToken);
        var plan = ChannelPlan.For(notice, profile);
        var now = clock.GetUtcNow();
        await context.Publish(new NoticeRouted
        {
            NoticeId = notice.NoticeId, Channels = plan.Channels, RejectionReason = plan.RejectionReason, Detail = plan.Detail, RoutedAt = now,
            ReadReceipts = plan.ReadReceipts,
        });

        foreach (var channel in plan.Channels)
        {
            await context.Publish(now > notice.ExpiresAt
                ? new NotificationExpired { NoticeId = notice.NoticeId, Channel = channel, ExpiredAt = now }
                : DispatchCommands.For(channel, notice, plan));
        }
    }
}
