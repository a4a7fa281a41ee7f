using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
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

    /// <summary>How long a batch may wait for the broker's confirms before it is published again (admission is idempotent by row).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Moves a campaign's rows to admission, a few at a time, at a lower priority than single notices. It is a
/// <see cref="DueRowRelay{TContext, TRow}"/> over <c>campaign_rows</c>: a released row is published as
/// <see cref="AdmitCampaignRow"/> to the gateway's own <c>campaign-admission</c> queue, and deleted with its personal data
/// (<see cref="AdmitCampaignRowConsumer"/> makes it an ordinary notice). Admission is not done inside the relay's
/// transaction: on SQLite (the standalone) that transaction holds the database's one write lock, so a notice written from
/// it would wait for ever.
/// <para>
/// The fairness is in the pacing (<see cref="WaitAsync"/>): rows wait unreleased (never due) until fewer than
/// <see cref="CampaignOptions.InFlight"/> campaign notices are in flight — released and not yet admitted (in this table or
/// the admission queue), or admitted and still ACCEPTED (routing queue) or with a PENDING channel (dispatch queues; a
/// channel held by quiet hours is DEFERRED and not counted). So a single notice submitted during a campaign of any size
/// has at most that many campaign notices ahead of it in the outbox, the routing queue or a dispatcher's queue, and the
/// campaign goes as fast as the pipeline drains them. Campaigns are released in the order they were stored (first in,
/// first out). The bound is counted in the database (<c>campaigns.rows_released</c> − <c>rows_recorded</c>, unsettled
/// <c>campaign_notices</c>), so it holds across gateway instances (two that pace at the same moment may both fill the same room: briefly up to
/// twice the bound).
/// </para>
/// </summary>
public sealed class CampaignAdmitter(
    IServiceScopeFactory scopes, IBus bus, CampaignSignal signal, IOptions<CampaignOptions> options, TimeProvider clock, ILogger<CampaignAdmitter> logger)
    : DueRowRelay<GatewayDbContext, CampaignRow>(scopes, clock, logger)
{
    protected override DueRowRelaySettings Settings =>
        new(options.Value.InFlight, options.Value.PollInterval, options.Value.PublishTimeout);

    protected override DbSet<CampaignRow> Rows(GatewayDbContext db) => db.CampaignRows;

    protected override Task PublishAsync(CampaignRow row, DateTimeOffset now, CancellationToken ct) =>
        bus.Publish(new AdmitCampaignRow
        {
            CampaignId = row.CampaignId, RowNumber = row.RowNumber, FiscalCode = row.FiscalCode,
            Personalisation = JsonSerializer.Deserialize<Dictionary<string, string>>(row.Personalisation)!,
        }, ct);

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
            SELECT (SELECT COUNT(*) FROM campaign_notices WHERE NOT settled)
                + (SELECT COALESCE(SUM(rows_released - rows_recorded), 0) FROM campaigns WHERE rows_released > rows_recorded)
            """, none, r => RawSql.Long(r, 0), ct)).Single();
        var room = options.Value.InFlight - inFlight;
        if (room <= 0)
        {
            return (0, true);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var locking = db.Database.IsNpgsql() ? " FOR UPDATE SKIP LOCKED" : "";
        var next = await RawSql.QueryAsync(db, $"SELECT id, campaign_id FROM campaign_rows WHERE NOT released ORDER BY id LIMIT @room{locking}",
            new Dictionary<string, object?> { ["@room"] = room }, r => (Id: r.GetInt64(0), Campaign: r.GetGuid(1)), ct);
        var ids = next.Select(n => n.Id).ToList();
        var now = Clock.GetUtcNow();
        await db.CampaignRows.Where(r => ids.Contains(r.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Released, true).SetProperty(r => r.NotBefore, now), ct);
        foreach (var campaign in next.GroupBy(n => n.Campaign))
        {
            var count = campaign.Count();
            await db.Campaigns.Where(c => c.Id == campaign.Key).ExecuteUpdateAsync(s => s.SetProperty(c => c.RowsReleased, c => c.RowsReleased + count), ct);
        }

        await tx.CommitAsync(ct);
        return (next.Count, next.Count > 0 || inFlight > 0);
    }
}
