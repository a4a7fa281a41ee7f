using MassTransit;
using Notifiche.Contracts;
using Notifiche.Gateway.Notices;

namespace Notifiche.Gateway.Status;

public sealed class NoticeRoutedConsumer(NoticeStatusUpdater status) : IConsumer<NoticeRouted>
{
    public Task Consume(ConsumeContext<NoticeRouted> context) =>
        status.RoutedAsync(context.Message, context.CancellationToken);
}

public sealed class NotificationSentConsumer(NoticeStatusUpdater status) : IConsumer<NotificationSent>
{
    public Task Consume(ConsumeContext<NotificationSent> context)
    {
        var m = context.Message;
        return status.ChannelAsync(m.NoticeId, m.Channel, ChannelStatus.Sent, m.SentAt, context.CancellationToken,
            providerMessageId: m.ProviderMessageId, segments: m.Segments, costEuro: m.CostEuro);
    }
}

public sealed class NotificationFailedConsumer(NoticeStatusUpdater status) : IConsumer<NotificationFailed>
{
    public Task Consume(ConsumeContext<NotificationFailed> context)
    {
        var m = context.Message;
        return status.ChannelAsync(m.NoticeId, m.Channel, ChannelStatus.Failed, m.FailedAt, context.CancellationToken, m.Reason);
    }
}

public sealed class NotificationExpiredConsumer(NoticeStatusUpdater status) : IConsumer<NotificationExpired>
{
    public Task Consume(ConsumeContext<NotificationExpired> context)
    {
        var m = context.Message;
        return status.ChannelAsync(m.NoticeId, m.Channel, ChannelStatus.Expired, m.ExpiredAt, context.CancellationToken);
    }
}

/// <summary>A dispatch attempt failed and is being retried: the channel is THROTTLED and the attempt goes into the audit trail.</summary>
public sealed class DispatchAttemptFailedConsumer(NoticeStatusUpdater status) : IConsumer<DispatchAttemptFailed>
{
    public Task Consume(ConsumeContext<DispatchAttemptFailed> context)
    {
        var m = context.Message;
        return status.ChannelAsync(m.NoticeId, m.Channel, ChannelStatus.Throttled, m.FailedAt, context.CancellationToken,
            $"attempt {m.Attempt}: {m.Reason}");
    }
}

/// <summary>A <see cref="SendEmail"/> that exhausted its retries (now in <c>send-email_error</c>): the email channel failed.</summary>
public sealed class SendEmailFaultConsumer(NoticeStatusUpdater status) : IConsumer<Fault<SendEmail>>
{
    public Task Consume(ConsumeContext<Fault<SendEmail>> context) =>
        status.DispatchFaultedAsync(context.Message, context.Message.Message.NoticeId, Channels.Email, context.CancellationToken);
}

public sealed class SendSmsFaultConsumer(NoticeStatusUpdater status) : IConsumer<Fault<SendSms>>
{
    public Task Consume(ConsumeContext<Fault<SendSms>> context) =>
        status.DispatchFaultedAsync(context.Message, context.Message.Message.NoticeId, Channels.Sms, context.CancellationToken);
}

public sealed class SendPushFaultConsumer(NoticeStatusUpdater status) : IConsumer<Fault<SendPush>>
{
    public Task Consume(ConsumeContext<Fault<SendPush>> context) =>
        status.DispatchFaultedAsync(context.Message, context.Message.Message.NoticeId, Channels.Push, context.CancellationToken);
}
