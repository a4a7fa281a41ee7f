using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Notifiche.Preferences.Deferral;

namespace Notifiche.Preferences.Observability;

/// <summary>
/// A <see cref="Notifiche.Persistence.DueRowRelay{TContext, TRow}"/>'s due rows as it last saw them, on /metrics: how many
/// are due and not yet published, and how long the oldest of them has been due. Observed by the relay once caught up (then
/// zero) and after every failure, so a backlog that stays above zero means the relay cannot publish.
/// </summary>
public abstract class DueRowBacklogMetrics
{
    private long _backlog;
    private double _oldestAgeSeconds;

    protected DueRowBacklogMetrics(IMeterFactory meters, string name, string unit, string backlog, string oldestAge)
    {
        var meter = meters.Create("Notifiche");
        meter.CreateObservableGauge($"{name}.backlog", () => Interlocked.Read(ref _backlog), unit, backlog);
        meter.CreateObservableGauge($"{name}.oldest_age", () => Volatile.Read(ref _oldestAgeSeconds), "s", oldestAge);
    }

    public (long Backlog, TimeSpan OldestAge) Due => (Interlocked.Read(ref _backlog), TimeSpan.FromSeconds(Volatile.Read(ref _oldestAgeSeconds)));

    public void Observe(long backlog, TimeSpan oldestAge)
    {
        Interlocked.Exchange(ref _backlog, backlog);
        Volatile.Write(ref _oldestAgeSeconds, oldestAge.TotalSeconds);
    }
}

/// <summary>
/// Preferences' deferred dispatches: the rows whose quiet hours have ended and that are not yet published. Rows still
/// inside quiet hours are waiting, not counted (at 08:00 a night's rows become due at once; the backlog drains within
/// seconds when the relay is healthy).
/// </summary>
public sealed class DeferredDispatchMetrics(IMeterFactory meters) : DueRowBacklogMetrics(meters, "notifiche.deferred", "{dispatch}",
    "Deferred dispatches whose quiet hours have ended and that are not yet published.",
    "How long the oldest due deferred dispatch has been due and unpublished.");

/// <summary>
/// Preferences' held notices (issue 17 point 6) that are due — their citizen registered, or their time to live ended — and
/// not yet relayed. Notices still waiting for their citizen are not counted. A released notice is due from its acceptance
/// (so that a citizen's notices go in order), so its age is since acceptance: alert on the backlog, not the age.
/// </summary>
public sealed class HeldNoticeMetrics(IMeterFactory meters) : DueRowBacklogMetrics(meters, "notifiche.held", "{notice}",
    "Held notices whose citizen registered or whose time to live ended, not yet relayed.",
    "How long ago the oldest due held notice not yet relayed became due (for a released one: its acceptance).");

/// <summary>
/// Unhealthy while the oldest due deferred dispatch has waited longer than <see cref="QuietHoursOptions.StuckAfter"/>: the
/// relay cannot publish. Reported in <c>/health/ready</c>'s answer without deciding it (routing goes on); the
/// NotificheDeferredDispatchStuck alert pages on the same condition from the metric.
/// </summary>
public sealed class DeferredDispatchHealthCheck(DeferredDispatchMetrics metrics, IOptions<QuietHoursOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (backlog, age) = metrics.Due;
        return Task.FromResult(age > options.Value.StuckAfter
            ? HealthCheckResult.Unhealthy($"deferred dispatches stuck: {backlog} due, oldest due {age.TotalSeconds:0} s ago")
            : HealthCheckResult.Healthy($"deferred dispatches: {backlog} due"));
    }
}
