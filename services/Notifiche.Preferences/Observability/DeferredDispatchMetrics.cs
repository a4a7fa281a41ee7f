using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Notifiche.Preferences.Deferral;

namespace Notifiche.Preferences.Observability;

/// <summary>
/// Preferences' deferred dispatches as the relay last saw them, on /metrics: the rows whose quiet hours have ended and that
/// are not yet published, and how long the oldest of them has been due. Rows still inside quiet hours are waiting, not
/// counted (at 08:00 a night's rows become due at once; the backlog drains within seconds when the relay is healthy).
/// </summary>
public sealed class DeferredDispatchMetrics
{
    private long _backlog;
    private double _oldestAgeSeconds;

    public DeferredDispatchMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("Notifiche");
        meter.CreateObservableGauge("notifiche.deferred.backlog", () => Interlocked.Read(ref _backlog), "{dispatch}",
            "Deferred dispatches whose quiet hours have ended and that are not yet published.");
        meter.CreateObservableGauge("notifiche.deferred.oldest_age", () => Volatile.Read(ref _oldestAgeSeconds), "s",
            "How long the oldest due deferred dispatch has been due and unpublished.");
    }

    public (long Backlog, TimeSpan OldestAge) Deferred => (Interlocked.Read(ref _backlog), TimeSpan.FromSeconds(Volatile.Read(ref _oldestAgeSeconds)));

    public void Observe(long backlog, TimeSpan oldestAge)
    {
        Interlocked.Exchange(ref _backlog, backlog);
        Volatile.Write(ref _oldestAgeSeconds, oldestAge.TotalSeconds);
    }
}

/// <summary>
/// Unhealthy while the oldest due deferred dispatch has waited longer than <see cref="QuietHoursOptions.StuckAfter"/>: the
/// relay cannot publish. Reported in <c>/health/ready</c>'s answer without deciding it (routing goes on); the
/// NotificheDeferredDispatchStuck alert pages on the same condition from the metric.
/// </summary>
public sealed class DeferredDispatchHealthCheck(DeferredDispatchMetrics metrics, IOptions<QuietHoursOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (backlog, age) = metrics.Deferred;
        return Task.FromResult(age > options.Value.StuckAfter
            ? HealthCheckResult.Unhealthy($"deferred dispatches stuck: {backlog} due, oldest due {age.TotalSeconds:0} s ago")
            : HealthCheckResult.Healthy($"deferred dispatches: {backlog} due"));
    }
}
