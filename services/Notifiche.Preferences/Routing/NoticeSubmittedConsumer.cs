using MassTransit;
using Notifiche.Contracts;

namespace Notifiche.Preferences.Routing;

/// <summary>Routes a submitted notice: publishes the plan, then one dispatch command per planned channel.</summary>
public sealed class NoticeSubmittedConsumer(TimeProvider clock) : IConsumer<NoticeSubmitted>
{
    public async Task Consume(ConsumeContext<NoticeSubmitted> context)
    {
        var notice = context.Message;
        var plan = ChannelPlan.For(notice);
        await context.Publish(new NoticeRouted
        {
            NoticeId = notice.NoticeId,
            Channels = plan.Channels,
            RejectionReason = plan.RejectionReason,
            Detail = plan.Detail,
            RoutedAt = clock.GetUtcNow(),
        });

        if (plan.Channels.Contains(Channels.Email))
        {
            await context.Publish(new SendEmail
            {
                NoticeId = notice.NoticeId,
                To = notice.DefaultEmail!,
                Subject = notice.Subject,
                Markdown = notice.Markdown,
                ServiceName = notice.ServiceName,
                OrganizationName = notice.OrganizationName,
                DueDate = notice.DueDate,
                ExpiresAt = notice.ExpiresAt,
            });
        }
    }
}
