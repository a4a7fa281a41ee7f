using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Outbox;

namespace Notifiche.Gateway.Notices;

/// <summary>
/// An escalation step's time has come: an outbox row, due then, that the relay runs in the gateway
/// (<see cref="OutboxMessages.IsLocal"/>) instead of publishing — the read state lives here, not in routing.
/// </summary>
public sealed record RunEscalationStep(Guid StepId);

/// <summary>
/// Decides an escalation step at its time (issue 17, point 5), in one transaction: skipped when the citizen has read the
/// notice in the inbox by now (<see cref="EscalationOutcomes.SkippedRead"/>); else the step's SMS is reserved in the
/// service's monthly budget (<see cref="SmsBudget"/>), which may leave it out — a step with no channel left is
/// <see cref="EscalationOutcomes.SkippedSmsBudget"/> —, and the step's <see cref="NoticeSubmitted"/> for its channels is
/// written to the outbox (<see cref="EscalationOutcomes.Done"/>). Only escalation rows come here: a notice without
/// escalation costs no statement more.
/// <para>
/// The read state is read when the step runs, not locked: a read committed in the same instant may miss the step, which
/// then goes out as the notice was unread when it was due. Safe to repeat (the relay crashed before deleting its row):
/// a decided step is left alone. Resolve and a rejection cancel a pending step by deleting its row
/// (<see cref="NoticeResolution"/>), which waits for a step being run, so a step is cancelled or decided, never both.
/// </para>
/// </summary>
public sealed class EscalationStepRunner(
    GatewayDbContext db, StatusAnnouncements announcements, OutboxSignal outbox, IOptions<SmsBudgetOptions> smsBudget, TimeProvider clock)
{
    /// <summary>
    /// Makes <paramref name="step"/> (a copy of <paramref name="notice"/> due at the step's time) the <paramref name="index"/>th
    /// step of its escalation: no omissions nor SMS reservation of its own until it runs, and the notice's expiry.
    /// </summary>
    public static Notice Stored(Notice notice, Notice step, int index, ScheduledEscalationStep scheduled)
    {
        step.EscalationOf = notice.Id;
        step.EscalationStep = index;
        step.EscalationAfter = scheduled.After;
        step.EscalationChannels = [.. scheduled.Channels];
        step.ExpiresAt = notice.ExpiresAt;
        step.Omissions = [];
        step.SmsReservedSegments = null;
        step.SmsBudgetMonth = null;
        return step;
    }

    public async Task RunAsync(RunEscalationStep run, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var step = await db.Notices.Include(n => n.Variants).FirstOrDefaultAsync(n => n.Id == run.StepId, ct);
        if (step is not { EscalationOf: { } noticeId } || step.Status != NoticeStatus.Accepted || step.EscalationOutcome is not null)
        {
            return;
        }

        var readAt = await db.Notices.Where(n => n.Id == noticeId).Select(n => n.ReadAt).SingleAsync(ct);
        var service = await db.Services.AsNoTracking().SingleAsync(s => s.Id == step.ServiceId, ct);
        var now = clock.GetUtcNow();
        // A permission the operator withdrew since acceptance is withdrawn from the step too.
        var channels = step.EscalationChannels!.Where(service.AllowedChannels.Contains).ToList();
        string outcome, detail;
        if (readAt is { } read)
        {
            (outcome, detail) = (EscalationOutcomes.SkippedRead, $"the notice was read in the inbox at {read:O}: nothing sent");
        }
        else
        {
            if (!step.Test && channels.Contains(Channels.Sms) && SmsBudget.SegmentsOf(service, smsBudget.Value) is { } budget)
            {
                var month = SmsBudget.MonthOf(now);
                var reserved = await SmsBudget.ReserveAsync(db, service.Id, budget, smsBudget.Value.SegmentsPerNotice, month, ct);
                if (reserved > 0)
                {
                    (step.SmsReservedSegments, step.SmsBudgetMonth) = (reserved, month);
                }
                else
                {
                    channels.Remove(Channels.Sms);
                    db.NoticeOmissions.Add(new NoticeOmission { NoticeId = step.Id, Channel = Channels.Sms, Reason = OmissionReasons.SmsBudgetExhausted });
                }
            }

            (outcome, detail) = channels.Count == 0 && step.EscalationChannels!.Contains(Channels.Sms) && service.AllowedChannels.Contains(Channels.Sms)
                ? (EscalationOutcomes.SkippedSmsBudget, "unread, but the monthly SMS budget is spent and the step has no other channel: nothing sent")
                : (EscalationOutcomes.Done, channels.Count == 0
                    ? "unread: routed, but the service may no longer use the step's channels"
                    : $"unread: routed to {string.Join(", ", channels)}"
                        + (channels.Count < step.EscalationChannels!.Count ? " (SMS left out: the monthly SMS budget is spent)" : string.Empty));
        }

        step.EscalationOutcome = outcome;
        var announced = false;
        if (outcome == EscalationOutcomes.Done)
        {
            db.Outbox.Add(step.Test
                ? OutboxMessages.Create(new SimulateTestNotice(step.Id, channels, TestNotices.OutcomeFor(step.DefaultEmail)), null, now)
                : OutboxMessages.Create(NoticeSubmissions.For(step, service, channels, step.Variants), null, now));
        }
        else
        {
            step.Status = NoticeStatus.Skipped;
            step.ProcessedAt = now;
            step.StatusDetail = $"Escalation step skipped ({outcome}): {detail}.";
            announced = await announcements.AnnounceAsync(step.Id, step.ServiceId, NoticeStatus.Skipped, now, ct);
        }

        var what = $"step {step.EscalationStep} ({step.EscalationAfter}: {string.Join(", ", step.EscalationChannels!)}) {outcome}: {detail}";
        db.Record(noticeId, NoticeEventTypes.Escalation, now, detail: $"{what}; step {step.Id}");
        db.Record(step.Id, NoticeEventTypes.Escalation, now, detail: what);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (outcome == EscalationOutcomes.Done || announced)
        {
            outbox.Notify();
        }
    }
}
