using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Contracts;

namespace Notifiche.Messaging;

/// <summary>
/// Watches the retry filter of a dispatch command endpoint and publishes <see cref="DispatchAttemptFailed"/> for each
/// attempt that failed and will be retried, so the notice's audit trail shows every attempt. It publishes through the
/// bus itself: the endpoint's in-memory outbox discards what a faulting consume context publishes.
/// </summary>
public sealed class DispatchAttemptObserver(IServiceProvider services, string channel) : IRetryObserver
{
    /// <summary>Reason of failures that are not ours to describe: their messages might quote an address.</summary>
    private static string Reason(Exception? e) => e switch
    {
        TransientFailureException t => t.Message,
        null => "unknown",
        _ => e.GetType().Name,
    };

    public async Task PostFault<T>(RetryContext<T> context)
        where T : class, PipeContext
    {
        if (context.Context is not ConsumeContext consume || NoticeIdOf(consume) is not { } noticeId)
        {
            return;
        }

        try
        {
            await services.GetRequiredService<IBus>().Publish(new DispatchAttemptFailed
            {
                NoticeId = noticeId,
                Channel = channel,
                Attempt = context.RetryCount + 1,
                Reason = Reason(context.Exception),
                FailedAt = (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow(),
            }, context.CancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The record of an attempt must never change how the command itself is retried (e.g. while the broker is away).
        }
    }

    private Guid? NoticeIdOf(ConsumeContext consume) => channel switch
    {
        Channels.Email when consume.TryGetMessage<SendEmail>(out var email) => email.Message.NoticeId,
        Channels.Sms when consume.TryGetMessage<SendSms>(out var sms) => sms.Message.NoticeId,
        Channels.Push when consume.TryGetMessage<SendPush>(out var push) => push.Message.NoticeId,
        Channels.Telegram when consume.TryGetMessage<SendTelegram>(out var telegram) => telegram.Message.NoticeId,
        _ => null,
    };

    public Task PostCreate<T>(RetryPolicyContext<T> context)
        where T : class, PipeContext => Task.CompletedTask;

    public Task PreRetry<T>(RetryContext<T> context)
        where T : class, PipeContext => Task.CompletedTask;

    public Task RetryFault<T>(RetryContext<T> context)
        where T : class, PipeContext => Task.CompletedTask;

    public Task RetryComplete<T>(RetryContext<T> context)
        where T : class, PipeContext => Task.CompletedTask;
}
