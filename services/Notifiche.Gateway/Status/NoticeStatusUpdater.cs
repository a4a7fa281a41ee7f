using System.Diagnostics;
using System.Text;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Notifiche.Contracts;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Governance;
using Notifiche.Persistence;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Observability;
using Notifiche.Gateway.Outbox;
using Notifiche.Messaging;

namespace Notifiche.Gateway.Status;

/// <summary>A channel's outcome as a dispatcher reported it (sent, failed, expired, or an attempt failed: THROTTLED).</summary>
public sealed record ChannelOutcome(
    Guid NoticeId, string Channel, string Status, DateTimeOffset At, string? Reason = null, string? ProviderMessageId = null,
    int? Segments = null, decimal? CostEuro = null);

/// <summary>
/// The one place that moves a notice's stored status. Events arrive on separate queues, so in any order and
/// possibly more than once: statuses only move forward (see <see cref="ChannelAsync(IReadOnlyList{ChannelOutcome}, CancellationToken)"/>
/// for which channel statuses are final). Every change is committed with its audit entry and, for a service with a status
/// callback, its <see cref="NoticeStatusChanged"/> as an outbox row (<see cref="StatusAnnouncements"/>), in one
/// transaction: a change is never stored without being announced, nor announced without being stored.
/// Changes come in groups (<see cref="StatusWriter"/>): a group costs two round trips and one transaction whatever its
/// size, and each change has its own outcome (null, or the exception its consumer throws).
/// </summary>
public sealed class NoticeStatusUpdater(
    GatewayDbContext db, StatusAnnouncements announcements, OutboxSignal outbox, GatewayMetrics metrics, TimeProvider clock, NoticeResolution resolution)
{
    /// <summary>Stores one routing decision (see the group overload).</summary>
    public async Task RoutedAsync(NoticeRouted routed, CancellationToken ct)
    {
        if ((await RoutedAsync([new Traced<NoticeRouted>(routed, Activity.Current?.Id)], ct))[0] is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// Stores routing decisions with their audit entries, channels and status changes; a redelivery changes nothing.
    /// One command of guarded updates (only an ACCEPTED notice moves on — to HELD too, and a HELD one on from there, never
    /// back to it — so of two concurrent deliveries one wins), then
    /// the rows they bring in one batch. No channel row can exist before: a channel's outcome is applied only once the
    /// notice is routed (<see cref="StatusOrder"/>). Notices are locked in id order, so two gateways cannot deadlock.
    /// </summary>
    public async Task<IReadOnlyList<Exception?>> RoutedAsync(IReadOnlyList<Traced<NoticeRouted>> group, CancellationToken ct)
    {
        var order = Enumerable.Range(0, group.Count).OrderBy(i => group[i].Item.NoticeId).ToList();
        var sql = new StringBuilder();
        var parameters = new Dictionary<string, object?>();
        foreach (var i in order)
        {
            var routed = group[i].Item;
            sql.Append($"""
                UPDATE notices SET status = @status{i}, rejection_reason = @reason{i}, status_detail = @detail{i}, processed_at = @at{i},
                    read_receipts = @receipts{i}, content_language = @language{i}{(routed.Channels.Count == 0 ? ", default_email = NULL" : string.Empty)}
                WHERE id = @id{i} AND {(routed.HeldUntil is null ? $"status IN ('{NoticeStatus.Accepted}', '{NoticeStatus.Held}')" : $"status = '{NoticeStatus.Accepted}'")}
                RETURNING service_id;

                """);
            parameters[$"@status{i}"] = StatusOf(routed);
            parameters[$"@reason{i}"] = routed.RejectionReason;
            parameters[$"@detail{i}"] = routed.Detail;
            // A held notice is not processed yet: its processed_at is the routing once the citizen registers.
            parameters[$"@at{i}"] = routed.HeldUntil is null ? routed.RoutedAt : null;
            parameters[$"@receipts{i}"] = routed.ReadReceipts;
            parameters[$"@language{i}"] = routed.ContentLanguage;
            parameters[$"@id{i}"] = RawSql.Id(db, routed.NoticeId);
        }

        // Routing planned no SMS: the notice's reservation in its service's SMS budget goes back (issue 16 point 7). A held
        // notice keeps it for its routing once the citizen registers.
        SmsBudget.AppendSettlement(sql, [.. order.Where(i => !group[i].Item.Channels.Contains(Channels.Sms) && group[i].Item.HeldUntil is null).Select(i => $"@id{i}")],
            _ => "0", SmsBudget.NoSmsPlanned);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var moved = new string?[group.Count];
        await RawSql.RunAsync(db, sql.ToString(), parameters, async (command, token) =>
        {
            await using var reader = await command.ExecuteReaderAsync(token);
            foreach (var i in order)
            {
                moved[i] = await reader.ReadAsync(token) ? reader.GetString(0) : null;
                await reader.NextResultAsync(token);
            }

            // The budget's settlement, last in the batch, returns no rows: run it before the transaction goes on.
            while (await reader.NextResultAsync(token))
            {
            }

            return 0;
        }, ct);

        var outcomes = new Exception?[group.Count];
        var unmoved = order.Where(i => moved[i] is null).Select(i => group[i].Item.NoticeId).Distinct().ToList();
        if (unmoved.Count > 0)
        {
            // Routed already (a redelivery, or twice in this group), or never stored here.
            var stored = (await db.Notices.Where(n => unmoved.Contains(n.Id)).Select(n => n.Id).ToListAsync(ct)).ToHashSet();
            foreach (var i in order.Where(i => moved[i] is null && !stored.Contains(group[i].Item.NoticeId)))
            {
                outcomes[i] = NotStored(group[i].Item.NoticeId);
            }
        }

        var announced = false;
        foreach (var i in order.Where(i => moved[i] is not null))
        {
            var routed = group[i].Item;
            var noticeId = routed.NoticeId;
            var (eventType, detail) = routed switch
            {
                { RejectionReason: { } rejection } => (NoticeEventTypes.Rejected, rejection),
                { HeldUntil: { } heldUntil } => (NoticeEventTypes.Held, $"the citizen has no profile yet: held until registered, at most until {heldUntil.ToUniversalTime():O}"),
                { Expired: true } => (NoticeEventTypes.Expired, "held until registered: the time to live ended before the citizen registered"),
                _ => (NoticeEventTypes.Routed, $"channel plan: {(routed.Channels.Count == 0 ? "none" : string.Join(", ", routed.Channels))}"),
            };
            db.Record(noticeId, eventType, routed.RoutedAt, detail: detail);
            foreach (var channel in routed.Channels.Distinct())
            {
                // Quiet hours: the channel's command waits in routing until then; the trail says until when.
                var deferredUntil = routed.DeferredUntil.TryGetValue(channel, out var until) ? until : (DateTimeOffset?)null;
                db.NoticeChannels.Add(new NoticeChannel
                {
                    NoticeId = noticeId, Channel = channel, Status = deferredUntil is null ? ChannelStatus.Pending : ChannelStatus.Deferred,
                    UpdatedAt = routed.RoutedAt, DeferredUntil = deferredUntil,
                });
                if (deferredUntil is { } at)
                {
                    db.Record(noticeId, NoticeEventTypes.Deferred, routed.RoutedAt, channel, $"quiet hours: deferred until {at.ToUniversalTime():O}");
                }
            }

            announced |= await announcements.AnnounceAsync(noticeId, moved[i]!, StatusOf(routed), routed.RoutedAt, ct, traceParent: group[i].TraceParent);
            // A rejected notice, or a held one that expired, is in no inbox: its reminders and escalation steps have nothing to remind of.
            if ((routed.RejectionReason ?? (routed.Expired ? RejectionReasons.Expired : null)) is { } reason)
            {
                announced |= await resolution.CancelRemindersOfRejectedAsync(noticeId, reason, routed.RoutedAt, ct);
            }
        }

        await db.SaveAddedAsync(ct);
        await tx.CommitAsync(ct);
        if (announced)
        {
            outbox.Notify();
        }

        foreach (var i in order.Where(i => moved[i] is not null))
        {
            metrics.Routed(moved[i]!, StatusOf(group[i].Item), group[i].Item.RejectionReason);
        }

        return outcomes;
    }

    /// <summary>Applies one channel outcome (see the group overload).</summary>
    public async Task ChannelAsync(Guid noticeId, string channel, string status, DateTimeOffset at, CancellationToken ct,
        string? reason = null, string? providerMessageId = null, int? segments = null, decimal? costEuro = null)
    {
        var outcome = new ChannelOutcome(noticeId, channel, status, at, reason, providerMessageId, segments, costEuro);
        if ((await ChannelAsync([new Traced<ChannelOutcome>(outcome, Activity.Current?.Id)], ct))[0] is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// Applies channel outcomes, each only once its notice is routed (<see cref="StatusOrder"/>). One statement per
    /// outcome, so that events for the same notice arriving at once cannot collide: insert the channel's status, or update
    /// it unless it is final. SENT and EXPIRED are final; FAILED yields only to SENT (a dead-lettered command replayed by
    /// an SRE that then reached the citizen). The audit entry is written in the same transaction: for a change, and for
    /// every failed attempt (THROTTLED) even when a later outcome already arrived. Two round trips for the group: each
    /// notice read together with its guarded upsert (which itself requires the notice routed), then the audit entries
    /// and announcements.
    /// </summary>
    public async Task<IReadOnlyList<Exception?>> ChannelAsync(IReadOnlyList<Traced<ChannelOutcome>> group, CancellationToken ct)
    {
        var order = Enumerable.Range(0, group.Count).OrderBy(i => group[i].Item.NoticeId).ThenBy(i => group[i].Item.Channel, StringComparer.Ordinal).ToList();
        // On PostgreSQL the notice is read under its row lock: a routing decision being committed at that moment is waited
        // for, so the read and the upsert's own condition see the same status (SQLite: one snapshot per transaction).
        var locked = db.Database.IsNpgsql() ? " FOR UPDATE" : string.Empty;
        var sql = new StringBuilder();
        var parameters = new Dictionary<string, object?>();
        var reasons = new string?[group.Count];
        foreach (var i in order)
        {
            var o = group[i].Item;
            // A provider's message can be any length: cut to the column, or the update would fail on every redelivery.
            reasons[i] = ColumnText.Cut(o.Reason, NoticeChannel.FailureReasonMaxLength);
            sql.Append($"""
                SELECT accepted_at, service_id, status, test FROM notices WHERE id = @id{i}{locked};
                INSERT INTO notice_channels (notice_id, channel, status, updated_at, failure_reason, provider_message_id, segments, cost_euro)
                SELECT id, @channel{i}, @status{i}, @at{i}, @reason{i}, @provider{i}, CAST(@segments{i} AS INTEGER), CAST(@cost{i} AS NUMERIC)
                FROM notices WHERE id = @id{i} AND status NOT IN ('{NoticeStatus.Accepted}', '{NoticeStatus.Held}')
                ON CONFLICT (notice_id, channel) DO UPDATE
                SET status = excluded.status, updated_at = excluded.updated_at,
                    failure_reason = excluded.failure_reason, provider_message_id = excluded.provider_message_id,
                    segments = excluded.segments, cost_euro = excluded.cost_euro
                WHERE notice_channels.status NOT IN ('{ChannelStatus.Sent}', '{ChannelStatus.Expired}')
                  AND (notice_channels.status <> '{ChannelStatus.Failed}' OR excluded.status = '{ChannelStatus.Sent}')
                RETURNING notice_id;

                """);
            parameters[$"@id{i}"] = RawSql.Id(db, o.NoticeId);
            parameters[$"@channel{i}"] = o.Channel;
            parameters[$"@status{i}"] = o.Status;
            parameters[$"@at{i}"] = o.At;
            parameters[$"@reason{i}"] = reasons[i];
            parameters[$"@provider{i}"] = o.ProviderMessageId;
            parameters[$"@segments{i}"] = o.Segments;
            parameters[$"@cost{i}"] = o.CostEuro;
        }

        if (group.Any(g => ChannelStatus.IsFinal(g.Item.Status)))
        {
            // The notice's default address is kept only while a channel may still need it: the re-drive after a crash
            // routes a PROCESSED notice whose channels are not all final again from its row (issue 16 point 10).
            sql.Append($"""
                UPDATE notices SET default_email = NULL
                WHERE id IN ({string.Join(", ", order.Select(i => $"@id{i}"))}) AND default_email IS NOT NULL AND status = '{NoticeStatus.Processed}'
                  AND NOT EXISTS (SELECT 1 FROM notice_channels c WHERE c.notice_id = notices.id
                      AND c.status NOT IN ('{ChannelStatus.Sent}', '{ChannelStatus.Failed}', '{ChannelStatus.Expired}'));

                """);
        }

        // An SMS's final outcome settles its notice's reservation in the service's SMS budget: what it spent instead.
        SmsBudget.AppendSettlement(sql,
            [.. order.Where(i => group[i].Item.Channel == Channels.Sms && ChannelStatus.IsFinal(group[i].Item.Status)).Select(i => $"@id{i}")],
            SmsBudget.SmsSpent, SmsBudget.SmsFinal);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var notices = new (DateTimeOffset AcceptedAt, string ServiceId, string Status, bool Test)?[group.Count];
        var changed = new bool[group.Count];
        await RawSql.RunAsync(db, sql.ToString(), parameters, async (command, token) =>
        {
            await using var reader = await command.ExecuteReaderAsync(token);
            foreach (var i in order)
            {
                notices[i] = await reader.ReadAsync(token) ? (RawSql.Time(reader, 0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)) : null;
                await reader.NextResultAsync(token);
                changed[i] = await reader.ReadAsync(token);
                await reader.NextResultAsync(token);
            }

            // The address erasure and the budget's settlement, last in the batch, return no rows: run them before the transaction goes on.
            while (await reader.NextResultAsync(token))
            {
            }

            return 0;
        }, ct);

        var outcomes = new Exception?[group.Count];
        var announced = false;
        var attemptsFailed = new List<string>();
        foreach (var i in order)
        {
            var o = group[i].Item;
            if (notices[i] is not { } notice)
            {
                outcomes[i] = NotStored(o.NoticeId);
                continue;
            }

            if (NoticeStatus.Unrouted(notice.Status) && !changed[i])
            {
                outcomes[i] = new NoticeNotRoutedException(o.NoticeId);
                continue;
            }

            if (!changed[i] && o.Status != ChannelStatus.Throttled)
            {
                continue;
            }

            var (type, detail) = o.Status switch
            {
                ChannelStatus.Sent => (NoticeEventTypes.Sent, o.ProviderMessageId is null ? null : $"provider message id {o.ProviderMessageId}"),
                ChannelStatus.Failed => (NoticeEventTypes.Failed, reasons[i]),
                ChannelStatus.Expired => (NoticeEventTypes.Expired, null),
                _ => (NoticeEventTypes.DispatchAttemptFailed, reasons[i]),
            };
            db.Record(o.NoticeId, type, o.At, o.Channel, detail);
            if (type == NoticeEventTypes.DispatchAttemptFailed)
            {
                attemptsFailed.Add(o.Channel);
            }

            if (changed[i])
            {
                announced |= await announcements.AnnounceAsync(o.NoticeId, notice.ServiceId, o.Status, o.At, ct, o.Channel, group[i].TraceParent);
            }
        }

        await db.SaveAddedAsync(ct);
        await tx.CommitAsync(ct);
        if (announced)
        {
            outbox.Notify();
        }

        var now = clock.GetUtcNow();
        // A test notice's simulated outcomes are no deliveries: they stay out of the delivery metrics.
        foreach (var i in order.Where(i => changed[i] && group[i].Item.Status != ChannelStatus.Throttled && !notices[i]!.Value.Test))
        {
            metrics.Dispatched(group[i].Item.Channel, group[i].Item.Status, now - notices[i]!.Value.AcceptedAt);
        }

        foreach (var channel in attemptsFailed)
        {
            metrics.AttemptFailed(channel);
        }

        return outcomes;
    }

    /// <summary>A dispatch command exhausted its retries (it is now in its <c>_error</c> queue): the channel failed.</summary>
    public static ChannelOutcome Faulted(Fault fault, Guid noticeId, string channel)
    {
        var reason = fault.Exceptions.FirstOrDefault()?.Message ?? "delivery failed";
        return new ChannelOutcome(noticeId, channel, ChannelStatus.Failed, DateTime.SpecifyKind(fault.Timestamp, DateTimeKind.Utc), $"retries exhausted: {reason}");
    }

    private static string StatusOf(NoticeRouted routed) => routed switch
    {
        { RejectionReason: not null } => NoticeStatus.Rejected,
        { HeldUntil: not null } => NoticeStatus.Held,
        { Expired: true } => NoticeStatus.Expired,
        _ => NoticeStatus.Processed,
    };

    private static PermanentFailureException NotStored(Guid noticeId) => new($"notice {noticeId} is not stored here");
}
