using System.ComponentModel.DataAnnotations;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Notifiche.Messaging;

/// <summary>
/// How often and how long a message of ours is tried, and where it goes when that is over: the one place to read it.
/// The defaults are here; configuration overrides them with the keys named in each row. Times are MassTransit's
/// exponential back-off: the wait before retry <c>n</c> is <c>min(Min + 2ⁿ × Delta, Max)</c> with ±20 % on Delta and
/// ±25 % jitter on the result. Every retry happens in memory, with the message held unacknowledged in the broker.
/// <list type="table">
/// <listheader><term>queue</term><description>policy</description></listheader>
/// <item><term><c>send-sms</c>, <c>send-push</c>, <c>send-telegram</c> (<see cref="ProviderQueues"/>)</term><description>
/// <b>In memory</b>: <see cref="ProviderRetry"/> — 1 attempt + 30 retries, waits 6 s, 11 s, 21 s, 41 s, then 1 min each:
/// about 27 minutes in all (20–34 at the jitter's extremes), longer than a provider outage usually lasts. Keys
/// <c>Messaging:ProviderRetry:{Limit,MinInterval,MaxInterval,Delta}</c>, or <c>Messaging:EndpointRetry:send-sms:…</c>.
/// A <see cref="PermanentFailureException"/> (bad number, rejected token) is not retried. Each failed attempt that will be
/// retried publishes <c>DispatchAttemptFailed</c> (the notice's audit trail).
/// <b>Provider HTTP pipeline</b>, inside each attempt (<c>ProviderResilience</c> in Notifiche.ServiceDefaults, keys
/// <c>Sms|Push|Telegram:Resilience:*</c>): 60 s in all, 10 s per call; up to 3 more calls 1 s → 30 s apart (or as <c>Retry-After</c>
/// asks), only when the provider cannot have taken the request (no connection, 408, 429, 503) — never after a timeout or
/// a 500/502/504, whose outcome the dispatch ledger records as unknown; a circuit breaker fails calls fast for 15 s once
/// half of at least 10 calls in 30 s failed. What is left is one transient failure of the attempt.
/// <b>Kill switch</b> (<see cref="KillSwitchSettings"/>, keys <c>Sms|Push|Telegram:KillSwitch:*</c>): when at least 15 % of at
/// least 10 commands in a minute failed transiently, the endpoint stops consuming for 1 minute: the commands wait in the
/// queue instead of spending their retries; the ones in hand keep retrying. Permanent failures never trip it.
/// <b>Then</b>: <c>Fault&lt;SendSms&gt;</c> is published (the gateway marks the channel <c>FAILED</c>) and the message moves
/// to <c>send-sms_error</c> with the reason in its <c>MT-Fault-*</c> headers, for an SRE to replay (<c>notifiche-dlq</c>).
/// </description></item>
/// <item><term><c>send-email</c> and every other queue</term><description>
/// <b>In memory</b>: <see cref="Retry"/> — 1 attempt + 6 retries, waits 0.7 s, 1.2 s, 2.2 s, 4.2 s, 8.2 s, 10 s: about
/// 27 seconds. Keys <c>Messaging:Retry:*</c>, or <c>Messaging:EndpointRetry:&lt;queue&gt;:…</c> for one queue (the gateway
/// gives its channel-outcome and <c>status-callback</c> queues their own this way). Permanent failures are not retried.
/// <b>Then</b>: <c>Fault&lt;T&gt;</c> and <c>&lt;queue&gt;_error</c>, as above. No kill switch, no provider pipeline.
/// </description></item>
/// <item><term>every queue</term><description>
/// <b>Broker</b>: no delayed redelivery (the delayed-message-exchange plugin is not available). A message is delivered
/// again only when its consumer never settled it (the process crashed or lost its connection): after
/// <see cref="BrokerDeliveryLimit"/> deliveries the quorum queue dead-letters it to <c>notifiche.dead-letters</c>
/// (<see cref="DeadLetters"/>; its <c>x-death</c> header names the queue). A constant, not a setting: RabbitMQ refuses to
/// redeclare a queue with other arguments. <c>&lt;queue&gt;_error</c> queues have no delivery limit.
/// A consumer's own publishes leave only once it succeeded (in-memory outbox): a retried attempt never publishes twice.
/// </description></item>
/// </list>
/// A retry must end within RabbitMQ's <c>consumer_timeout</c> (30 minutes by default; 1 hour in deploy/ and the test
/// servers, for the provider queues' retry), or the broker closes the channel and the message is delivered again.
/// </summary>
public static class DeliveryPolicy
{
    /// <summary>Deliveries of one message before the quorum queue dead-letters it (<c>x-delivery-limit</c>).</summary>
    public const int BrokerDeliveryLimit = 10;

    /// <summary>Queues whose consumer calls a paid external provider: <see cref="ProviderRetry"/> and a kill switch.</summary>
    public static readonly IReadOnlySet<string> ProviderQueues = new HashSet<string> { CommandQueues.SendSms, CommandQueues.SendPush, CommandQueues.SendTelegram };

    /// <summary>In-memory retry of every queue without a policy of its own (<c>Messaging:Retry</c>): <see cref="RetryOptions"/>' defaults.</summary>
    public static RetryOptions Retry => new();

    /// <summary>In-memory retry of the <see cref="ProviderQueues"/> (<c>Messaging:ProviderRetry</c>).</summary>
    public static RetryOptions ProviderRetry => new()
    {
        Limit = 30, MinInterval = TimeSpan.FromSeconds(1), MaxInterval = TimeSpan.FromMinutes(1), Delta = TimeSpan.FromSeconds(5),
    };

    /// <summary>The policy of <paramref name="queue"/> as configured: its own entry, else the provider or the ordinary retry.</summary>
    public static QueueDelivery For(MessagingOptions options, string queue) => new(
        queue,
        options.EndpointRetry.GetValueOrDefault(queue) ?? (ProviderQueues.Contains(queue) ? options.ProviderRetry : options.Retry));

    /// <summary>Applies a queue's policy to its endpoint; <see cref="BusRegistration.AddNotificheBus"/> calls it for every endpoint.</summary>
    internal static void Apply(IRegistrationContext context, string queue, IReceiveEndpointConfigurator endpoint)
    {
        var policy = For(context.GetRequiredService<IOptions<MessagingOptions>>().Value, queue);
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            QueueArguments.Apply(rabbit);
        }

        endpoint.UseMessageRetry(r =>
        {
            r.Ignore<PermanentFailureException>();
            r.Exponential(policy.Retry.Limit, policy.Retry.MinInterval, policy.Retry.MaxInterval, policy.Retry.Delta);
            if (CommandQueues.DispatchChannels.TryGetValue(queue, out var channel))
            {
                r.ConnectRetryObserver(new DispatchAttemptObserver(context, channel));
            }
        });

        endpoint.UseInMemoryOutbox(context);
    }
}

/// <summary>One queue's policy, resolved from configuration (<see cref="DeliveryPolicy.For"/>).</summary>
public sealed record QueueDelivery(string Queue, RetryOptions Retry)
{
    /// <summary>Tries of one delivery: the first and <see cref="RetryOptions.Limit"/> retries.</summary>
    public int Attempts => Retry.Limit + 1;

    public int BrokerDeliveryLimit => DeliveryPolicy.BrokerDeliveryLimit;

    /// <summary>Where MassTransit moves a message whose tries are over, or that failed permanently.</summary>
    public string ErrorQueue => $"{Queue}_error";

    public string DeadLetterQueue => DeadLetters.Queue;
}

/// <summary>In-memory retry with exponential back-off (<see cref="DeliveryPolicy"/>); its defaults are the ordinary retry.</summary>
public sealed class RetryOptions
{
    /// <summary>Retries after the first attempt.</summary>
    [Range(0, 100)]
    public int Limit { get; set; } = 6;

    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Step (and jitter) added at each attempt.</summary>
    public TimeSpan Delta { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// MassTransit's kill switch on a provider queue's endpoint (<see cref="DeliveryPolicy"/>): when too many commands fail
/// with a transient (provider) failure, the endpoint stops consuming for <see cref="RestartTimeout"/>, so commands wait
/// in the queue. Bound from <c>Sms:KillSwitch</c>, <c>Push:KillSwitch</c>.
/// </summary>
public sealed class KillSwitchSettings
{
    /// <summary>Commands consumed in a tracking period before the switch may trip.</summary>
    [Range(1, 10_000)]
    public int ActivationThreshold { get; set; } = 10;

    /// <summary>Percentage of failed commands that trips the switch.</summary>
    [Range(1, 100)]
    public int TripThresholdPercent { get; set; } = 15;

    public TimeSpan TrackingPeriod { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan RestartTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
