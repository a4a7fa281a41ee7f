using System.Collections.Frozen;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Outbox;

namespace Notifiche.Gateway.Callbacks;

/// <summary>
/// Which services have a status callback, as this gateway instance last read it: a status change is announced
/// (<see cref="Contracts.NoticeStatusChanged"/> through the outbox, then the <c>status-callback</c> queue) only for
/// those, so a service without a callback costs no outbox row, publish, consume or look-up per change (issue 15).
/// The set is read again after <see cref="CallbackOptions.DirectoryCacheFor"/> and at once after a registration or removal
/// through this instance; a callback registered through another instance receives changes from then on at the latest.
/// </summary>
public sealed class CallbackDirectory(IOptions<CallbackOptions> options, TimeProvider clock)
{
    private Snapshot? _snapshot;
    private long _generation;

    private sealed record Snapshot(FrozenSet<string> ServiceIds, DateTimeOffset ReadAt, long Generation);

    public async ValueTask<bool> HasCallbackAsync(GatewayDbContext db, string serviceId, CancellationToken ct)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        var generation = Interlocked.Read(ref _generation);
        var now = clock.GetUtcNow();
        if (snapshot is null || snapshot.Generation != generation || now - snapshot.ReadAt >= options.Value.DirectoryCacheFor)
        {
            var ids = await db.StatusCallbacks.AsNoTracking().Select(c => c.ServiceId).ToListAsync(ct);
            snapshot = new Snapshot(ids.ToFrozenSet(StringComparer.Ordinal), now, generation);
            Volatile.Write(ref _snapshot, snapshot);
        }

        return snapshot.ServiceIds.Contains(serviceId);
    }

    /// <summary>A callback was registered, changed or removed through this instance.</summary>
    public void Changed() => Interlocked.Increment(ref _generation);
}

/// <summary>Announces status changes for status callbacks: an outbox row, committed with the change, for services that have one.</summary>
public sealed class StatusAnnouncements(GatewayDbContext db, CallbackDirectory callbacks, TimeProvider clock)
{
    /// <summary>
    /// Adds the announcement to the unit of work when the service has a callback; true when it did (wake the relay after
    /// commit). Its publish continues <paramref name="traceParent"/>'s trace, by default the current activity's.
    /// </summary>
    public async ValueTask<bool> AnnounceAsync(Guid noticeId, string serviceId, string status, DateTimeOffset at, CancellationToken ct,
        string? channel = null, string? traceParent = null)
    {
        if (!await callbacks.HasCallbackAsync(db, serviceId, ct))
        {
            return false;
        }

        db.Outbox.Add(OutboxMessages.Create(AuditTrail.StatusChanged(noticeId, serviceId, status, at, channel), traceParent ?? Activity.Current?.Id,
            clock.GetUtcNow()));
        return true;
    }
}
