using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Persistence;

namespace Notifiche.Gateway.Campaigns;

/// <summary>Bound from <c>Gateway:Campaigns</c>.</summary>
public sealed class CampaignOptions
{
    public const string Section = "Gateway:Campaigns";

    /// <summary>
    /// Campaign notices in flight at most (admitted and not yet past routing and the dispatch queues): the most campaign work a
    /// single notice can find ahead of it in any queue of the pipeline.
    /// </summary>
    [Range(1, 10_000)]
    public int InFlight { get; set; } = 32;

    /// <summary>How often the pacing looks for room while a campaign runs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often it looks for work with no campaign running and no wake-up (a campaign stored by another instance).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a batch's admissions may take before the batch is retried (admission is idempotent by row).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan AdmitTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Turns a campaign's rows into ordinary notices, a few at a time, at a lower priority than single notices. It is a
/// <see cref="DueRowRelay{TContext, TRow}"/> over <c>campaign_rows</c>: a released row is "published" by admitting it
/// through the same path as <c>POST /api/v1/notices</c> (<see cref="NoticeStore"/>: group commit, quota, SMS budget, outbox),
/// then deleted with its personal data. A crash between the two admits the row again as a retry: each row's admission
/// carries the idempotency key <c>campaign-&lt;id&gt;-&lt;row&gt;</c>, which replays the notice already stored.
/// <para>
/// The fairness is in the pacing (<see cref="WaitAsync"/>): rows wait unreleased (never due) until fewer than
/// <see cref="CampaignOptions.InFlight"/> campaign notices are in flight — released and not admitted, or admitted and still
/// ACCEPTED (routing queue) or with a PENDING channel (dispatch queues; a channel held by quiet hours is DEFERRED and not
/// counted). So a single notice submitted during a campaign of any size has at most that many campaign notices ahead of it in
/// the outbox, the routing queue or a dispatcher's queue, and the campaign goes as fast as the pipeline drains them.
/// Campaigns are released in the order they were stored (first in, first out). The bound is per gateway instance.
/// </para>
/// </summary>
public sealed class CampaignAdmitter(
    IServiceScopeFactory scopes, CampaignSignal signal, IOptions<CampaignOptions> options, TimeProvider clock, ILogger<CampaignAdmitter> logger)
    : DueRowRelay<GatewayDbContext, CampaignRow>(scopes, clock, logger)
{
    private const string IdempotencyKeyPrefix = "campaign-";

    protected override DueRowRelaySettings Settings =>
        new(options.Value.InFlight, options.Value.PollInterval, options.Value.AdmitTimeout);

    protected override DbSet<CampaignRow> Rows(GatewayDbContext db) => db.CampaignRows;

    protected override async Task PublishAsync(CampaignRow row, DateTimeOffset now, CancellationToken ct)
    {
        await using var scope = Scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var campaign = await db.Campaigns.AsNoTracking().FirstAsync(c => c.Id == row.CampaignId, ct);
        var service = await db.Services.AsNoTracking().FirstAsync(s => s.Id == campaign.ServiceId, ct);
        var request = new SubmitNoticeRequest
        {
            FiscalCode = row.FiscalCode, TemplateId = campaign.TemplateId,
            Personalisation = JsonSerializer.Deserialize<Dictionary<string, string>>(row.Personalisation),
        };
        // Valid: it was validated at upload against this very template (the snapshot), and carries nothing time-dependent.
        var (valid, _) = NoticeValidator.Validate(request, now, CampaignTemplates.Restore(campaign));
        var store = scope.ServiceProvider.GetRequiredService<NoticeStore>();
        var acceptance = valid is null ? null
            : await store.AcceptAsync(service, valid, $"{IdempotencyKeyPrefix}{campaign.Id:N}-{row.RowNumber}", ct, campaign.Test);
        var (noticeId, refusal) = acceptance switch
        {
            Acceptance.Accepted accepted => (accepted.NoticeId, null),
            Acceptance.Replayed replayed => (replayed.NoticeId, null),
            Acceptance.Refused refused => ((Guid?)null, refused.Refusal.Code),
            Acceptance.KeyConflict => (null, "IDEMPOTENCY_KEY_CONFLICT"),
            _ => (null, "INVALID"),
        };
        await RawSql.ExecuteAsync(db, """
            INSERT INTO campaign_notices (campaign_id, row_number, notice_id, refusal, settled) VALUES (@campaign, @row, @notice, @refusal, @settled)
            ON CONFLICT DO NOTHING
            """, new Dictionary<string, object?>
        {
            ["@campaign"] = RawSql.Id(db, campaign.Id), ["@row"] = row.RowNumber, ["@notice"] = noticeId is { } id ? RawSql.Id(db, id) : null,
            ["@refusal"] = refusal, ["@settled"] = noticeId is null,
        }, ct);
    }

    /// <summary>
    /// The pacing, run whenever the relay has no more released rows: settles the notices out of flight, releases as many rows as
    /// there is room for, and waits only when it released none (a short poll while a campaign runs, the sweep otherwise).
    /// </summary>
    protected override async Task WaitAsync(CancellationToken ct)
    {
        var (released, busy) = await PaceAsync(ct);
        if (released == 0)
        {
            await signal.WaitAsync(busy ? options.Value.PollInterval : options.Value.SweepInterval, ct);
        }
    }

    private async Task<(int Released, bool Busy)> PaceAsync(CancellationToken ct)
    {
        await using var scope = Scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var none = new Dictionary<string, object?>();
        await RawSql.ExecuteAsync(db, $"""
            UPDATE campaign_notices SET settled = TRUE
            WHERE NOT settled AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.id = campaign_notices.notice_id AND (n.status = '{NoticeStatus.Accepted}'
                OR EXISTS (SELECT 1 FROM notice_channels c WHERE c.notice_id = n.id AND c.status = '{ChannelStatus.Pending}')))
            """, none, ct);
        var inFlight = (await RawSql.QueryAsync(db, """
            SELECT (SELECT COUNT(*) FROM campaign_notices WHERE NOT settled) + (SELECT COUNT(*) FROM campaign_rows WHERE not_before < @unreleased)
            """, new Dictionary<string, object?> { ["@unreleased"] = CampaignRows.Unreleased }, r => RawSql.Long(r, 0), ct)).Single();
        var room = options.Value.InFlight - inFlight;
        if (room <= 0)
        {
            return (0, true);
        }

        var released = await RawSql.ExecuteAsync(db, """
            UPDATE campaign_rows SET released = TRUE, not_before = @now
            WHERE id IN (SELECT id FROM campaign_rows WHERE NOT released ORDER BY id LIMIT @room)
            """, new Dictionary<string, object?> { ["@now"] = Clock.GetUtcNow(), ["@room"] = room }, ct);
        return (released, released > 0 || inFlight > 0);
    }
}
