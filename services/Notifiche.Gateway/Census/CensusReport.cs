using Notifiche.Contracts;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Census;

/// <summary>One channel of a service in a month: what it declared, what happened.</summary>
public sealed record CensusChannel(string Channel, bool Allowed, int? ExpectedMonthly, long Sent, long Failed, long? SmsSegments, decimal? CostEuro);

/// <summary>One service in a month (its census line).</summary>
public sealed record CensusLine(
    string ServiceId,
    string Name,
    string? Department,
    string OrganizationName,
    string OrganizationFiscalCode,
    string State,
    IReadOnlyList<string> NoticeCategories,
    long NoticesAccepted,
    long NoticesRejected,
    IReadOnlyList<CensusChannel> Channels);

public sealed record CensusResponse(string Month, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<CensusLine> Services);

/// <summary>
/// The census: per service and calendar month (UTC, by acceptance time), the notices accepted and rejected by routing,
/// sent and failed per channel, SMS segments and cost, beside the volumes the service declared. Test-key notices are not
/// counted (nothing was delivered). A due-date reminder is not a notice of its own here, but its sends (and SMS costs) count
/// on each channel, in the month its notice was accepted.
/// </summary>
public sealed class CensusReport(GatewayDbContext db, ServiceRegistry registry)
{
    public async Task<CensusResponse> ForMonthAsync(DateOnly month, string? serviceId, CancellationToken ct)
    {
        var from = new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var to = from.AddMonths(1);
        var range = new Dictionary<string, object?> { ["@from"] = from, ["@to"] = to, ["@rejected"] = NoticeStatus.Rejected };
        var notices = (await RawSql.QueryAsync(db, """
            SELECT service_id, COUNT(*), SUM(CASE WHEN status = @rejected THEN 1 ELSE 0 END)
            FROM notices WHERE accepted_at >= @from AND accepted_at < @to AND NOT test AND reminder_of IS NULL AND escalation_of IS NULL
            GROUP BY service_id
            """, range, r => (Service: r.GetString(0), Accepted: RawSql.Long(r, 1), Rejected: RawSql.Long(r, 2)), ct))
            .ToDictionary(n => n.Service);

        var channelRange = new Dictionary<string, object?>(range) { ["@sent"] = ChannelStatus.Sent, ["@failed"] = ChannelStatus.Failed };
        var channels = (await RawSql.QueryAsync(db, """
            SELECT n.service_id, c.channel,
                   SUM(CASE WHEN c.status = @sent THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = @failed THEN 1 ELSE 0 END),
                   COALESCE(SUM(c.segments), 0), COALESCE(SUM(c.cost_euro), 0)
            FROM notice_channels c JOIN notices n ON n.id = c.notice_id
            WHERE n.accepted_at >= @from AND n.accepted_at < @to AND NOT n.test
            GROUP BY n.service_id, c.channel
            """, channelRange, r => (Service: r.GetString(0), Channel: r.GetString(1), Sent: RawSql.Long(r, 2), Failed: RawSql.Long(r, 3),
                Segments: RawSql.Long(r, 4), Cost: RawSql.Decimal(r, 5)), ct))
            .ToDictionary(c => (c.Service, c.Channel));

        var services = (await registry.ListAsync(ct)).Where(s => serviceId is null || s.Id == serviceId);
        var lines = services.Select(s =>
        {
            var counted = notices.GetValueOrDefault(s.Id);
            return new CensusLine(s.Id, s.Name, s.Department, s.OrganizationName, s.OrganizationFiscalCode, s.State, s.NoticeCategories,
                counted.Accepted, counted.Rejected,
                [.. Notifiche.Contracts.Channels.All.Select(channel =>
                {
                    var c = channels.GetValueOrDefault((s.Id, channel));
                    var sms = channel == Notifiche.Contracts.Channels.Sms;
                    return new CensusChannel(channel, s.AllowedChannels.Contains(channel), s.ExpectedMonthly(channel), c.Sent, c.Failed,
                        sms ? c.Segments : null, sms ? c.Cost : null);
                })]);
        });
        return new CensusResponse(month.ToString("yyyy-MM"), from, to, [.. lines]);
    }
}

public static class CensusEndpoints
{
    public static void MapCensus(this RouteGroupBuilder admin) =>
        admin.MapGet("/census", async (string? month, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "service_id")] string? serviceId, CensusReport census, TimeProvider clock, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            if (month is null)
            {
                return Results.Ok(await census.ForMonthAsync(new DateOnly(now.Year, now.Month, 1), serviceId, ct));
            }

            return DateOnly.TryParseExact(month, "yyyy-MM", out var parsed)
                ? Results.Ok(await census.ForMonthAsync(parsed, serviceId, ct))
                : Results.ValidationProblem(new Dictionary<string, string[]> { ["month"] = ["must be a month as yyyy-MM, e.g. 2026-11"] });
        })
        .Produces<CensusResponse>().ProducesValidationProblem()
        .WithSummary("The census per service for a month (?month=yyyy-MM, default this month; ?service_id= for one service).");
}
