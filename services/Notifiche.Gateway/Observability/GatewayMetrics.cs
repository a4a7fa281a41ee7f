using System.Diagnostics.Metrics;

namespace Notifiche.Gateway.Observability;

/// <summary>
/// The platform's own meters, exposed on /metrics. Labels are service ids, channels, statuses and reason codes only:
/// never a codice fiscale, an address or content.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Notifiche";

    /// <summary>
    /// Buckets of <c>notifiche.delivery.latency</c>, in seconds: most notifications are sent within a second, retries and
    /// throttling take minutes, an open kill switch at least one. 60 s is a boundary because the delivery SLO is read there
    /// (deploy/prometheus/alerts.yml).
    /// </summary>
    public static readonly IReadOnlyList<double> DeliveryLatencyBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _routed;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _dispatches;
    private readonly Counter<long> _attemptsFailed;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _redriven;
    private readonly Counter<long> _callbacksFailed;
    private long _outboxBacklog;
    private long _unrouted;
    private double _outboxOldestAgeSeconds;

    public GatewayMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _accepted = meter.CreateCounter<long>("notifiche.notices.accepted", "{notice}", "Notices durably accepted, per service.");
        _routed = meter.CreateCounter<long>("notifiche.notices.routed", "{notice}", "Routing outcomes: processed or rejected (with reason), per service.");
        _refused = meter.CreateCounter<long>("notifiche.notices.refused", "{notice}",
            "Submissions the service's governance refused (suspended, sandbox, quota, rate, source address), per service and reason.");
        _attemptsFailed = meter.CreateCounter<long>("notifiche.dispatch.attempts.failed", "{attempt}",
            "Failed dispatch attempts being retried (a channel THROTTLED), per channel.");
        _dispatches = meter.CreateCounter<long>("notifiche.dispatches", "{notification}", "Final channel outcomes: SENT, FAILED, EXPIRED, per channel.");
        _latency = meter.CreateHistogram<double>("notifiche.delivery.latency", "s", "From acceptance to SENT, per channel.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DeliveryLatencyBoundaries });
        meter.CreateObservableGauge("notifiche.outbox.backlog", () => Interlocked.Read(ref _outboxBacklog), "{message}", "Outbox rows due and not yet published (rows scheduled for later are not counted).");
        _redriven = meter.CreateCounter<long>("notifiche.notices.redriven", "{notice}",
            "Notices submitted to routing again because they were not final (on start) or stayed ACCEPTED too long.");
        _callbacksFailed = meter.CreateCounter<long>("notifiche.callbacks.failed", "{callback}",
            "Status changes a service's callback receiver did not take (refused, or still failing after the retries), per service.");
        meter.CreateObservableGauge("notifiche.notices.unrouted", () => Interlocked.Read(ref _unrouted), "{notice}",
            "Notices still ACCEPTED longer than Gateway:Redrive:AcceptedAfter (each is re-driven).");
        meter.CreateObservableGauge("notifiche.outbox.oldest_age", () => Volatile.Read(ref _outboxOldestAgeSeconds), "s", "How long the oldest due outbox row has been due and unpublished.");
    }

    public void Accepted(string serviceId) => _accepted.Add(1, new KeyValuePair<string, object?>("service_id", serviceId));

    public void Routed(string serviceId, string status, string? rejectionReason) => _routed.Add(1,
        new KeyValuePair<string, object?>("service_id", serviceId),
        new KeyValuePair<string, object?>("status", status),
        new KeyValuePair<string, object?>("reason", rejectionReason ?? "none"));

    public void Refused(string serviceId, string reason) => _refused.Add(1,
        new KeyValuePair<string, object?>("service_id", serviceId), new KeyValuePair<string, object?>("reason", reason));

    public void Dispatched(string channel, string status, TimeSpan sinceAccepted)
    {
        _dispatches.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("status", status));
        if (status == Notices.ChannelStatus.Sent)
        {
            _latency.Record(sinceAccepted.TotalSeconds, new KeyValuePair<string, object?>("channel", channel));
        }
    }

    public void AttemptFailed(string channel) => _attemptsFailed.Add(1, new KeyValuePair<string, object?>("channel", channel));

    public void CallbackFailed(string serviceId) => _callbacksFailed.Add(1, new KeyValuePair<string, object?>("service_id", serviceId));

    public void Redriven(int notices)
    {
        if (notices > 0)
        {
            _redriven.Add(notices);
        }
    }

    /// <summary>Last count of the notices still ACCEPTED past their re-drive age, by the re-drive sweep.</summary>
    public void ObserveUnrouted(long notices) => Interlocked.Exchange(ref _unrouted, notices);

    /// <summary>The last count of notices stuck in ACCEPTED, as <c>notifiche_notices_unrouted</c> reports it.</summary>
    public long Unrouted => Interlocked.Read(ref _unrouted);

    /// <summary>Last observation of the outbox, by the relay; also read by the readiness check.</summary>
    public (long Backlog, TimeSpan OldestAge) Outbox => (Interlocked.Read(ref _outboxBacklog), TimeSpan.FromSeconds(Volatile.Read(ref _outboxOldestAgeSeconds)));

    public void ObserveOutbox(long backlog, TimeSpan oldestAge)
    {
        Interlocked.Exchange(ref _outboxBacklog, backlog);
        Volatile.Write(ref _outboxOldestAgeSeconds, oldestAge.TotalSeconds);
    }
}
