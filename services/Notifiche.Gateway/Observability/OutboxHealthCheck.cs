using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Notifiche.Gateway.Outbox;

namespace Notifiche.Gateway.Observability;

/// <summary>
/// Unhealthy while the oldest unpublished outbox row is older than <see cref="OutboxOptions.StuckAfter"/>: the relay
/// cannot publish. Reported in <c>/health/ready</c>'s answer without deciding it (the gateway keeps accepting notices
/// into the outbox); the NotificheOutboxStuck alert pages on the same condition from the outbox metrics.
/// </summary>
public sealed class OutboxHealthCheck(GatewayMetrics metrics, IOptions<OutboxOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (backlog, age) = metrics.Outbox;
        return Task.FromResult(age > options.Value.StuckAfter
            ? HealthCheckResult.Unhealthy($"outbox stuck: {backlog} rows, oldest {age.TotalSeconds:0} s old")
            : HealthCheckResult.Healthy($"outbox: {backlog} rows"));
    }
}
