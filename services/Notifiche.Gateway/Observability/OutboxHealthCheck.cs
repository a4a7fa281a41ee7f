using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Notifiche.Gateway.Outbox;

namespace Notifiche.Gateway.Observability;

/// <summary>Not ready while the oldest unpublished outbox row is older than <see cref="OutboxOptions.StuckAfter"/>: the relay cannot publish.</summary>
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
