using System.ComponentModel;
using Microsoft.EntityFrameworkCore;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Notices;

namespace Notifiche.Gateway.Campaigns;

public static class CampaignStatus
{
    /// <summary>Rows still to admit, or admitted notices still in routing or a dispatch queue.</summary>
    public const string Running = "RUNNING";
    /// <summary>Every accepted row admitted (or refused) and every notice past routing and dispatch.</summary>
    public const string Completed = "COMPLETED";
    /// <summary>Cancelled: the rows not admitted by then were dropped; notices already admitted go on.</summary>
    public const string Cancelled = "CANCELLED";
}

[Description("A campaign's progress. Counts are of rows of the file (rows) and of the notices admitted from them (notices).")]
public sealed record CampaignResponse(
    Guid Id,
    [property: Description("RUNNING, COMPLETED or CANCELLED.")] string Status,
    Guid TemplateId,
    int TemplateVersion,
    [property: Description("Uploaded with a test key: every notice is a test notice (delivery simulated).")] bool Test,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CancelledAt,
    CampaignRowCounts Rows,
    CampaignNoticeCounts Notices,
    [property: Description("Rows refused at upload, by row number (CSV: the header is row 1), at most the first 1,000.")] IReadOnlyList<CampaignRowProblem> Rejections,
    [property: Description("Rows whose admission was refused (e.g. DAILY_QUOTA_REACHED, SERVICE_SUSPENDED), at most the first 1,000.")] IReadOnlyList<CampaignRowProblem> Refusals);

public sealed record CampaignRowCounts(
    [property: Description("Data rows in the file.")] int Total,
    [property: Description("Valid rows, to be sent.")] int Accepted,
    [property: Description("Invalid rows, listed in rejections.")] int Rejected,
    [property: Description("Accepted rows not admitted yet.")] long Pending,
    [property: Description("Accepted rows that became notices.")] long Admitted,
    [property: Description("Accepted rows whose admission the service's policy refused (listed in refusals).")] long Refused,
    [property: Description("Accepted rows dropped by a cancel before they were released for admission.")] long Cancelled);

public sealed record CampaignNoticeCounts(
    [property: Description("Admitted notices routing has decided on.")] long Routed,
    [property: Description("Notices delivered on at least one channel.")] long Sent,
    [property: Description("Notices rejected by routing, or whose every channel ended FAILED or EXPIRED.")] long Failed,
    [property: Description("Notices whose SMS was withheld because the service's monthly SMS budget was spent (omission SMS_BUDGET_EXHAUSTED).")] long SmsBudgetExhausted);

public sealed record CampaignRowProblem(int Row, string Reason);

/// <summary>Reads a campaign's progress from its rows and notices (one aggregate over the campaign's notices).</summary>
public static class CampaignProgress
{
    public const int MaxListed = 1_000;

    public static async Task<CampaignResponse> ReadAsync(GatewayDbContext db, Campaign campaign, CancellationToken ct)
    {
        var id = campaign.Id;
        var counts = (await RawSql.QueryAsync(db, $"""
            SELECT COUNT(cn.notice_id), COUNT(cn.refusal), SUM(CASE WHEN n.status = '{NoticeStatus.Accepted}'
                    OR EXISTS (SELECT 1 FROM notice_channels c WHERE c.notice_id = n.id AND c.status = '{ChannelStatus.Pending}') THEN 1 ELSE 0 END),
                SUM(CASE WHEN n.status <> '{NoticeStatus.Accepted}' THEN 1 ELSE 0 END),
                SUM(CASE WHEN EXISTS (SELECT 1 FROM notice_channels c WHERE c.notice_id = n.id AND c.status = '{ChannelStatus.Sent}') THEN 1 ELSE 0 END),
                SUM(CASE WHEN n.status = '{NoticeStatus.Rejected}' OR (
                        EXISTS (SELECT 1 FROM notice_channels c WHERE c.notice_id = n.id)
                        AND NOT EXISTS (SELECT 1 FROM notice_channels c WHERE c.notice_id = n.id AND c.status NOT IN ('{ChannelStatus.Failed}', '{ChannelStatus.Expired}')))
                    THEN 1 ELSE 0 END),
                SUM(CASE WHEN EXISTS (SELECT 1 FROM notice_omissions o WHERE o.notice_id = n.id AND o.reason = '{OmissionReasons.SmsBudgetExhausted}') THEN 1 ELSE 0 END)
            FROM campaign_notices cn LEFT JOIN notices n ON n.id = cn.notice_id
            WHERE cn.campaign_id = @campaign
            """, new Dictionary<string, object?> { ["@campaign"] = RawSql.Id(db, id) },
            r => Enumerable.Range(0, 7).Select(i => RawSql.Long(r, i)).ToArray(), ct)).Single();
        var (admitted, refused, inFlight) = (counts[0], counts[1], counts[2]);
        var pending = campaign.RowsAccepted - admitted - refused - campaign.RowsCancelled;
        var rejections = await db.CampaignRejections.AsNoTracking().Where(r => r.CampaignId == id).OrderBy(r => r.RowNumber).Take(MaxListed)
            .Select(r => new CampaignRowProblem(r.RowNumber, r.Reason)).ToListAsync(ct);
        var refusals = refused == 0 ? [] : await db.CampaignNotices.AsNoTracking().Where(n => n.CampaignId == id && n.Refusal != null)
            .OrderBy(n => n.RowNumber).Take(MaxListed).Select(n => new CampaignRowProblem(n.RowNumber, n.Refusal!)).ToListAsync(ct);
        var status = campaign.CancelledAt is not null ? CampaignStatus.Cancelled
            : pending > 0 || inFlight > 0 ? CampaignStatus.Running : CampaignStatus.Completed;
        return new CampaignResponse(id, status, campaign.TemplateId, campaign.TemplateVersion, campaign.Test, campaign.CreatedAt, campaign.CancelledAt,
            new CampaignRowCounts(campaign.RowsTotal, campaign.RowsAccepted, campaign.RowsRejected, pending, admitted, refused,
                campaign.RowsCancelled),
            new CampaignNoticeCounts(counts[3], counts[4], counts[5], counts[6]), rejections, refusals);
    }
}
