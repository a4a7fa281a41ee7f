using MassTransit;
using Notifiche.Contracts;
using Notifiche.Gateway.Notices;

namespace Notifiche.Gateway.Status;

public sealed class NoticeRoutedConsumer(StatusWriter status) : IConsumer<NoticeRouted>
{
    public Task Consume(ConsumeContext<NoticeRouted> context) =>
        status.RoutedAsync(context.Message, context.CancellationToken);
}

public sealed class NotificationSentConsumer(StatusWriter status) : IConsumer<NotificationSent>
{
    public Task Consume(ConsumeContext<NotificationSent> context)
    {
        var m = context.Message;
        return status.ChannelAsync(new ChannelOutcome(m.NoticeId, m.Channel, ChannelStatus.Sent, m.SentAt,
            ProviderMessageId: m.ProviderMessageId, Segments: m.Segments, CostEuro: m.CostEuro), context.CancellationToken);
    }
}

public sealed class NotificationFailedConsumer(StatusWriter status) : IConsumer<NotificationFailed>
{
    public Task Consume(ConsumeContext<NotificationFailed> context)
    {
        var m = context.Message;
        return status.ChannelAsync(new ChannelOutcome(m.NoticeId, m.Channel, ChannelStatus.Failed, m.FailedAt, m.Reason), context.CancellationToken);
    }
}

public sealed class NotificationExpiredConsumer(StatusWriter status) : IConsumer<NotificationExpired>
{
    public Task Consume(ConsumeContext<NotificationExpired> context)
    {
        var m = context.Message;
        return status.ChannelAsync(new ChannelOutcome(m.NoticeId, m.Channel, ChannelStatus.Expired, m.ExpiredAt), context.CancellationToken);
    }
}

/// <summary>A dispatch attempt failed and is being retried: the channel is THROTTLED and the attempt goes into the audit trail.</summary>
public sealed class DispatchAttemptFailedConsumer(StatusWriter status) : IConsumer<DispatchAttemptFailed>
{
    public Task Consume(ConsumeContext<DispatchAttemptFailed> context)
    {
        var m = context.Message;
        return status.ChannelAsync(new ChannelOutcome(m.NoticeId, m.Channel, ChannelStatus.Throttled, m.FailedAt, $"attempt {m.Attempt}: {m.Reason}"),
            context.CancellationToken);
    }
}

/// <summary>A <see cref="SendEmail"/> that exhausted its retries (now in <c>send-email_error</c>): the email channel failed.</summary>
public sealed class SendEmailFaultConsumer(StatusWriter status) : IConsumer<Fault<SendEmail>>
{
    public Task Consume(ConsumeContext<Fault<SendEmail>> context) =>
        status.ChannelAsync(NoticeStatusUpdater.Faulted(context.Message, context.Message.Message.NoticeId, Channels.Email), context.CancellationToken);
}

public sealed class SendSmsFaultConsumer(StatusWriter status) : IConsumer<Fault<SendSms>>
{
    public Task Consume(ConsumeContext<Fault<SendSms>> context) =>
        status.ChannelAsync(NoticeStatusUpdater.Faulted(context.Message, context.Message.Message.NoticeId, Channels.Sms), context.CancellationToken);
}

public sealed class SendPushFaultConsumer(StatusWriter status) : IConsumer<Fault<SendPush>>
{
    public Task Consume(ConsumeContext<Fault<SendPush>> context) =>
        status.ChannelAsync(NoticeStatusUpdater.Faulted(context.Message, context.Message.Message.NoticeId, Channels.Push), context.CancellationToken);
}

public sealed class SendTelegramFaultConsumer(StatusWriter status) : IConsumer<Fault<SendTelegram>>
{
    public Task Consume(ConsumeContext<Fault<SendTelegram>> context) =>
        status.ChannelAsync(NoticeStatusUpdater.Faulted(context.Message, context.Message.Message.NoticeId, Channels.Telegram), context.CancellationToken);
}
