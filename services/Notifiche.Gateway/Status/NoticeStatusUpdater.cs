using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Notifiche.Contracts;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Observability;
using Notifiche.Gateway.Outbox;
using Notifiche.Messaging;

namespace Notifiche.Gateway.Status;

/// <summary>
/// The one place that moves a notice's stored status. Events arrive on separate queues, so in any order and
/// possibly more than once: statuses only move forward (see <see cref="ChannelAsync"/> for which channel statuses are final).
/// Every change is committed with its audit entry and, for a service with a status callback, its
/// <see cref="NoticeStatusChanged"/> as an outbox row (<see cref="StatusAnnouncements"/>), in one transaction: a change is
/// never stored without being announced, nor announced without being stored.
/// </summary>
public sealed class NoticeStatusUpdater(GatewayDbContext db, StatusAnnouncements announcements, OutboxSignal outbox, GatewayMetrics metrics, TimeProvider clock)
{
    /// <summary>
    /// Stores the routing decision with its audit entry, its channels and its status change; a redelivery changes nothing.
    /// Two database commands: the guarded update (only an ACCEPTED notice moves on, so of two concurrent deliveries one
    /// wins), then the rows it brings in one batch. No channel row can exist before: a channel's outcome is applied only
    /// once the notice is routed (<see cref="StatusOrder"/>).
    /// </summary>
    public async Task RoutedAsync(NoticeRouted routed, CancellationToken ct)
    {
        var noticeId = routed.NoticeId;
        var rejectionReason = routed.RejectionReason;
        var at = routed.RoutedAt;
        var status = rejectionReason is null ? NoticeStatus.Processed : NoticeStatus.Rejected;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var moved = await db.Database.SqlQuery<string>($"""
            UPDATE notices SET status = {status}, rejection_reason = {rejectionReason}, status_detail = {routed.Detail},
                processed_at = {at}, read_receipts = {routed.ReadReceipts}
            WHERE id = {noticeId} AND status = {NoticeStatus.Accepted}
            RETURNING service_id AS "Value"
            """).ToListAsync(ct);
        if (moved.Count == 0)
        {
            // Routed already (a redelivery), or never stored here.
            if (!await db.Notices.AnyAsync(n => n.Id == noticeId, ct))
            {
                throw NotStored(noticeId);
            }

            return;
        }

        var serviceId = moved[0];
        db.Record(noticeId, rejectionReason is null ? NoticeEventTypes.Routed : NoticeEventTypes.Rejected, at, detail: rejectionReason is null
            ? $"channel plan: {(routed.Channels.Count == 0 ? "none" : string.Join(", ", routed.Channels))}"
            : rejectionReason);
        foreach (var channel in routed.Channels.Distinct())
        {
            db.NoticeChannels.Add(new NoticeChannel { NoticeId = noticeId, Channel = channel, Status = ChannelStatus.Pending, UpdatedAt = at });
        }

        var announced = await announcements.AnnounceAsync(noticeId, serviceId, status, at, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (announced)
        {
            outbox.Notify();
        }

        metrics.Routed(serviceId, status, rejectionReason);
    }

    /// <summary>
    /// Applied only once the notice is routed (<see cref="StatusOrder"/>). One statement, so that events for the same
    /// notice arriving at once cannot collide: insert the channel's status, or update it unless it is final. SENT and
    /// EXPIRED are final; FAILED yields only to SENT (a dead-lettered command replayed by an SRE that then reached the
    /// citizen). The audit entry is written in the same transaction: for a change, and for every failed attempt
    /// (THROTTLED) even when a later outcome already arrived.
    /// </summary>
    public async Task ChannelAsync(Guid noticeId, string channel, string status, DateTimeOffset at, CancellationToken ct,
        string? reason = null, string? providerMessageId = null, int? segments = null, decimal? costEuro = null)
    {
        var notice = await db.Notices.Where(n => n.Id == noticeId).Select(n => new { n.AcceptedAt, n.ServiceId, n.Status }).FirstOrDefaultAsync(ct)
            ?? throw NotStored(noticeId);
        if (notice.Status == NoticeStatus.Accepted)
        {
            throw new NoticeNotRoutedException(noticeId);
        }

        // A provider's message can be any length: cut to the column, or the update would fail on every redelivery.
        reason = ColumnText.Cut(reason, NoticeChannel.FailureReasonMaxLength);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var changed = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO notice_channels (notice_id, channel, status, updated_at, failure_reason, provider_message_id, segments, cost_euro)
            VALUES ({noticeId}, {channel}, {status}, {at}, {reason}, {providerMessageId}, {segments}, {costEuro})
            ON CONFLICT (notice_id, channel) DO UPDATE
            SET status = excluded.status, updated_at = excluded.updated_at,
                failure_reason = excluded.failure_reason, provider_message_id = excluded.provider_message_id,
                segments = excluded.segments, cost_euro = excluded.cost_euro
            WHERE notice_channels.status NOT IN ({ChannelStatus.Sent}, {ChannelStatus.Expired})
              AND (notice_channels.status <> {ChannelStatus.Failed} OR excluded.status = {ChannelStatus.Sent})
            """, ct);
        var announced = false;
        if (changed > 0 || status == ChannelStatus.Throttled)
        {
            var (type, detail) = status switch
            {
                ChannelStatus.Sent => (NoticeEventTypes.Sent, providerMessageId is null ? null : $"provider message id {providerMessageId}"),
                ChannelStatus.Failed => (NoticeEventTypes.Failed, reason),
                ChannelStatus.Expired => (NoticeEventTypes.Expired, null),
                _ => (NoticeEventTypes.DispatchAttemptFailed, reason),
            };
            db.Record(noticeId, type, at, channel, detail);
            if (changed > 0)
            {
                announced = await announcements.AnnounceAsync(noticeId, notice.ServiceId, status, at, ct, channel);
            }

            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);
        if (changed == 0)
        {
            return;
        }

        if (announced)
        {
            outbox.Notify();
        }

        if (status != ChannelStatus.Throttled)
        {
            metrics.Dispatched(channel, status, clock.GetUtcNow() - notice.AcceptedAt);
        }
    }

    /// <summary>A dispatch command exhausted its retries (it is now in its <c>_error</c> queue): the channel failed.</summary>
    public Task DispatchFaultedAsync(Fault fault, Guid noticeId, string channel, CancellationToken ct)
    {
        var reason = fault.Exceptions.FirstOrDefault()?.Message ?? "delivery failed";
        return ChannelAsync(noticeId, channel, ChannelStatus.Failed, DateTime.SpecifyKind(fault.Timestamp, DateTimeKind.Utc), ct, $"retries exhausted: {reason}");
    }

    private static PermanentFailureException NotStored(Guid noticeId) => new($"notice {noticeId} is not stored here");
}
