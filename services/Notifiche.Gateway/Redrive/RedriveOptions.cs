using System.ComponentModel.DataAnnotations;

namespace Notifiche.Gateway.Redrive;

/// <summary>Bound from <c>Gateway:Redrive</c>: when notices are submitted to routing again (<see cref="NoticeRedrive"/>).</summary>
public sealed class RedriveOptions
{
    public const string Section = "Gateway:Redrive";

    /// <summary>
    /// On start, re-drive every notice accepted before the start that is not final: still ACCEPTED, or PROCESSED with a
    /// channel not yet SENT, FAILED or EXPIRED. For the standalone host, whose in-memory transport loses the messages in
    /// flight when the process dies; a deployment on RabbitMQ keeps them in its queues and leaves this off.
    /// </summary>
    public bool OnStart { get; set; }

    /// <summary>
    /// A notice still ACCEPTED (not routed) this long after it was accepted, or after its last re-drive, is re-driven;
    /// the number of such notices is the <c>notifiche_notices_unrouted</c> gauge. Null: never.
    /// </summary>
    public TimeSpan? AcceptedAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the gateway looks for notices ACCEPTED longer than <see cref="AcceptedAfter"/>.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Notices per transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;
}
