using Notifiche.Messaging;

namespace Notifiche.Gateway.Status;

/// <summary>
/// Causal order of a notice's status and audit trail. Routing publishes the plan and the dispatch commands together, so a
/// channel's outcome can reach the gateway before the plan does. It is applied only once the notice is routed: until
/// then it fails with <see cref="NoticeNotRoutedException"/> and the endpoint's retry delivers it again later. So every
/// channel event is appended after the notice's <c>routed</c> event, and the audit trail's sequence is causal.
/// </summary>
public static class StatusOrder
{
    /// <summary>
    /// Retry of the channel-outcome endpoints (<see cref="EventQueues.ChannelOutcomes"/>) unless configuration gives one
    /// (<c>Messaging:EndpointRetry:&lt;queue&gt;</c>): back-off from 0.2 s to 30 s, about 10 minutes in all, so an outcome
    /// waits out a backlog of routing decisions instead of being dead-lettered; it ends well within RabbitMQ's consumer
    /// timeout, as the message stays unacknowledged meanwhile. A notice whose routing decision was lost is routed again by
    /// the re-drive (<see cref="Redrive.NoticeRedrive"/>), and routing it again produces its outcomes again.
    /// </summary>
    public static RetryOptions ChannelOutcomeRetry => new()
    {
        Limit = 24, MinInterval = TimeSpan.FromMilliseconds(200), MaxInterval = TimeSpan.FromSeconds(30), Delta = TimeSpan.FromMilliseconds(500),
    };
}

/// <summary>A channel's outcome arrived before the notice's routing decision: transient, retried by the endpoint.</summary>
public sealed class NoticeNotRoutedException(Guid noticeId)
    : Exception($"notice {noticeId} is not routed yet: its channel outcome waits for the routing decision");
