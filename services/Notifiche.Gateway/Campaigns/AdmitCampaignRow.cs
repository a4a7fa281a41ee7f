using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Messaging;

namespace Notifiche.Gateway.Campaigns;

/// <summary>
/// Admits a released row through the same path as <c>POST /api/v1/notices</c> (<see cref="NoticeStore"/>: group commit,
/// quota, SMS budget, outbox), as the campaign's template was at upload, with the idempotency key
/// <c>campaign-&lt;id&gt;-&lt;row&gt;</c>: a redelivered message replays the notice already stored. Then records the outcome
/// (a notice, or the policy's refusal code) once.
/// </summary>
public sealed class AdmitCampaignRowConsumer(GatewayDbContext db, NoticeStore store, TimeProvider clock) : IConsumer<AdmitCampaignRow>
{
    public const string Queue = CommandQueues.CampaignAdmission;

    public async Task Consume(ConsumeContext<AdmitCampaignRow> context)
    {
        var (row, ct) = (context.Message, context.CancellationToken);
        var campaign = await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == row.CampaignId, ct);
        var service = await db.Services.AsNoTracking().SingleAsync(s => s.Id == campaign.ServiceId, ct);
        var request = new SubmitNoticeRequest { FiscalCode = row.FiscalCode, TemplateId = campaign.TemplateId, Personalisation = row.Personalisation };
        // Valid: validated at upload against this very template (the snapshot), with nothing that depends on the time.
        var (valid, _) = NoticeValidator.Validate(request, clock.GetUtcNow(), CampaignTemplates.Restore(campaign));
        var acceptance = valid is null ? null : await store.AcceptAsync(service, valid, $"campaign-{campaign.Id:N}-{row.RowNumber}", ct, campaign.Test);
        var (noticeId, refusal) = acceptance switch
        {
            Acceptance.Accepted accepted => (accepted.NoticeId, null),
            Acceptance.Replayed replayed => (replayed.NoticeId, null),
            Acceptance.Refused refused => ((Guid?)null, refused.Refusal.Code),
            Acceptance.KeyConflict => (null, "IDEMPOTENCY_KEY_CONFLICT"),
            _ => (null, "INVALID"),
        };

        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var recorded = await RawSql.ExecuteAsync(db, """
            INSERT INTO campaign_notices (campaign_id, row_number, notice_id, refusal, settled) VALUES (@campaign, @row, @notice, @refusal, @settled)
            ON CONFLICT DO NOTHING
            """, new Dictionary<string, object?>
        {
            ["@campaign"] = RawSql.Id(db, campaign.Id), ["@row"] = row.RowNumber, ["@notice"] = noticeId is { } id ? RawSql.Id(db, id) : null,
            ["@refusal"] = refusal, ["@settled"] = noticeId is null,
        }, ct);
        if (recorded > 0)
        {
            await db.Campaigns.Where(c => c.Id == campaign.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.RowsRecorded, c => c.RowsRecorded + 1), ct);
        }

        await tx.CommitAsync(ct);
    }
}

/// <summary>The <c>campaign-admission</c> endpoint: as many rows at once as may be in flight, so their admissions are committed together.</summary>
public sealed class AdmitCampaignRowConsumerDefinition : ConsumerDefinition<AdmitCampaignRowConsumer>
{
    public AdmitCampaignRowConsumerDefinition(IOptions<CampaignOptions> options)
    {
        Endpoint(e =>
        {
            e.Name = AdmitCampaignRowConsumer.Queue;
            e.PrefetchCount = options.Value.InFlight;
            e.ConcurrentMessageLimit = options.Value.InFlight;
        });
    }
}
