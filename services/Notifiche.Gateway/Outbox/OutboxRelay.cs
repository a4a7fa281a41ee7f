using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Gateway.Data;
using Notifiche.Messaging;
using Notifiche.Persistence;
using Notifiche.Gateway.Observability;

namespace Notifiche.Gateway.Outbox;

public sealed class OutboxOptions
{
    public const string Section = "Gateway:Outbox";

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>How often rows are looked for without a wake-up: after a crash, or rows committed by another gateway instance.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a batch may wait for the broker's confirms. RabbitMQ.Client 7.2 can leave a publish that was awaiting its
    /// confirm when the broker died pending for ever, even after the connection recovered (rabbitmq-dotnet-client #1928,
    /// #1930): without a bound the relay stops for good while the gateway still accepts notices. A batch that times out
    /// stays in the outbox and is published again on a fresh channel (consumers are idempotent by notice id).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Readiness fails once the oldest unpublished row is this old.</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Publishes committed outbox rows once due and deletes them (<see cref="DueRowRelay{TContext, TRow}"/>: locked batches,
/// publisher confirms, bounded publish, back-off); a test notice's row is simulated, and an escalation step's decided, in the gateway instead
/// (<see cref="OutboxMessages.IsLocal"/>). Woken by <see cref="OutboxSignal"/> when a request commits rows, and by the
/// sweep for rows committed by another gateway instance, left by a crash, or scheduled (<c>send_at</c>): those are taken
/// within <see cref="OutboxOptions.SweepInterval"/> of becoming due.
/// </summary>
public sealed class OutboxRelay(
    IServiceScopeFactory scopes, IBus bus, OutboxSignal signal, IOptions<OutboxOptions> options, GatewayMetrics metrics, TimeProvider clock,
    ILogger<OutboxRelay> logger)
    : DueRowRelay<GatewayDbContext, OutboxMessage>(scopes, clock, logger)
{
    private static readonly ActivitySource Source = new("Notifiche");

    protected override DueRowRelaySettings Settings =>
        new(options.Value.BatchSize, options.Value.SweepInterval, options.Value.PublishTimeout);

    protected override DbSet<OutboxMessage> Rows(GatewayDbContext db) => db.Outbox;

    protected override Task WaitAsync(CancellationToken ct) => signal.WaitAsync(options.Value.SweepInterval, ct);

    /// <summary>For the metrics and the readiness check (<see cref="OutboxHealthCheck"/>).</summary>
    protected override void Observed(long dueBacklog, TimeSpan oldestDueAge) => metrics.ObserveOutbox(dueBacklog, oldestDueAge);

    protected override async Task PublishAsync(OutboxMessage row, DateTimeOffset now, CancellationToken ct)
    {
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = Source.StartActivity("outbox publish", ActivityKind.Producer, parent);
        var (message, type) = OutboxMessages.Read(row);
        activity?.SetTag(NoticeIdTagging.Tag, NoticeIdTagging.NoticeIdOf(message)?.ToString());

        if (OutboxMessages.IsLocal(type))
        {
            // Committed before the row is deleted: a crash in between runs it again (a test notice is simulated again, an
            // escalation step already decided is left alone).
            await using var scope = Scopes.CreateAsyncScope();
            await (message switch
            {
                Notices.RunEscalationStep step => scope.ServiceProvider.GetRequiredService<Notices.EscalationStepRunner>().RunAsync(step, ct),
                _ => scope.ServiceProvider.GetRequiredService<Notices.TestNoticeSimulator>().RunAsync((Notices.SimulateTestNotice)message, ct),
            });
            return;
        }

        await bus.Publish(message, type, ct);
    }
}
