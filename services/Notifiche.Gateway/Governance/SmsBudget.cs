using System.ComponentModel.DataAnnotations;
using System.Text;
using Notifiche.Contracts;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Governance;

/// <summary>Bound from <c>Gateway:SmsBudget</c>: what one notice's SMS may cost, as the SMS dispatcher is configured.</summary>
public sealed class SmsBudgetOptions
{
    public const string Section = "Gateway:SmsBudget";

    /// <summary>Segments reserved per notice: the SMS dispatcher's <c>Sms:MaxSegments</c> (its SMS never costs more).</summary>
    [Range(1, 10)]
    public int SegmentsPerNotice { get; set; } = 2;

    /// <summary>The SMS dispatcher's <c>Sms:PricePerSegmentEuro</c>: turns a budget in euro into segments.</summary>
    [Range(typeof(decimal), "0.0001", "10")]
    public decimal PricePerSegmentEuro { get; set; } = 0.05m;
}

/// <summary>
/// A service's monthly SMS budget, kept as a counter of segments per calendar month (UTC, <see cref="MonthlySmsUsage"/>) so
/// that a burst of concurrent submissions cannot overshoot it. At admission a notice that may go out as SMS reserves the
/// most its SMS may cost (<see cref="SmsBudgetOptions.SegmentsPerNotice"/>, or what is left of the budget if less) in the
/// accept transaction, by one guarded upsert — as the daily quota counts its notices; with nothing left, SMS is omitted
/// from the notice (<see cref="OmissionReasons.SmsBudgetExhausted"/>). The reservation travels with the notice to the SMS
/// dispatcher (<see cref="SendSms.MaxSegments"/>), which never sends a longer SMS. It is settled in the statements that
/// store the routing decision (released when routing plans no SMS) and the SMS's final outcome (the real segments of a
/// SENT SMS, nothing for FAILED or EXPIRED), so a citizen without a phone number costs the budget nothing.
/// Test notices reserve nothing.
/// </summary>
public static class SmsBudget
{
    public static DateOnly MonthOf(DateTimeOffset at) => new(at.UtcDateTime.Year, at.UtcDateTime.Month, 1);

    /// <summary>The budget in segments: the smaller of its segments and its euro at the configured price; null without a budget.</summary>
    public static int? SegmentsOf(ServiceRecord service, SmsBudgetOptions options)
    {
        int? fromEuro = service.MonthlySmsEuroBudget is { } euro ? (int)Math.Min(int.MaxValue, Math.Floor(euro / options.PricePerSegmentEuro)) : null;
        return (service.MonthlySmsSegmentBudget, fromEuro) switch
        {
            (null, null) => null,
            ({ } segments, null) => segments,
            (null, { } converted) => converted,
            ({ } segments, { } converted) => Math.Min(segments, converted),
        };
    }

    /// <summary>Reserves a notice's SMS in the month's counter; the segments reserved, 0 when the budget is spent.</summary>
    public static async Task<int> ReserveAsync(GatewayDbContext db, string serviceId, int budget, int perNotice, DateOnly month, CancellationToken ct)
    {
        const string take = "CASE WHEN @budget - monthly_sms_usage.segments < @per THEN @budget - monthly_sms_usage.segments ELSE @per END";
        var reserved = await RawSql.QueryAsync(db, $"""
            INSERT INTO monthly_sms_usage (service_id, month, segments, last_reserved)
            SELECT @service, @month, t.n, t.n FROM (SELECT CASE WHEN @budget < @per THEN @budget ELSE @per END AS n) t WHERE t.n > 0
            ON CONFLICT (service_id, month) DO UPDATE SET segments = monthly_sms_usage.segments + {take}, last_reserved = {take}
            WHERE monthly_sms_usage.segments < @budget
            RETURNING last_reserved
            """, new Dictionary<string, object?>
        {
            ["@service"] = serviceId, ["@month"] = month, ["@budget"] = budget, ["@per"] = perNotice,
        }, r => r.GetInt32(0), ct);
        return reserved.SingleOrDefault();
    }

    /// <summary>
    /// Appends the two statements that settle the outstanding reservations of the notices <paramref name="noticeIds"/> (SQL
    /// parameters) for which <paramref name="when"/> holds: the month's counter gives back what each reserved and takes what
    /// its SMS spent instead, then the notices have nothing reserved. Set-based, so a group costs two statements whatever its
    /// size; a second settlement finds nothing reserved and changes nothing. <paramref name="when"/> and
    /// <paramref name="spent"/> are SQL on the notice's id expression they are given.
    /// </summary>
    public static void AppendSettlement(StringBuilder sql, IReadOnlyCollection<string> noticeIds, Func<string, string> spent, Func<string, string> when)
    {
        if (noticeIds.Count == 0)
        {
            return;
        }

        var settled = $"n.id IN ({string.Join(", ", noticeIds)}) AND n.sms_reserved_segments IS NOT NULL AND {when("n.id")}";
        var month = "n.service_id = monthly_sms_usage.service_id AND n.sms_budget_month = monthly_sms_usage.month";
        sql.Append($"""
            UPDATE monthly_sms_usage SET segments = segments
                + (SELECT SUM({spent("n.id")} - n.sms_reserved_segments) FROM notices n WHERE {settled} AND {month})
            WHERE EXISTS (SELECT 1 FROM notices n WHERE {settled} AND {month});
            UPDATE notices AS n SET sms_reserved_segments = NULL WHERE {settled};

            """);
    }

    /// <summary>A notice whose routing decision stored no SMS channel: nothing of its reservation will be spent.</summary>
    public static string NoSmsPlanned(string noticeId) =>
        $"NOT EXISTS (SELECT 1 FROM notice_channels c WHERE c.notice_id = {noticeId} AND c.channel = '{Channels.Sms}')";

    /// <summary>The SMS channel of the notice in <c>notices</c> has its final status.</summary>
    public static string SmsFinal(string noticeId) => $"""
        EXISTS (SELECT 1 FROM notice_channels c WHERE c.notice_id = {noticeId} AND c.channel = '{Channels.Sms}'
            AND c.status IN ('{ChannelStatus.Sent}', '{ChannelStatus.Failed}', '{ChannelStatus.Expired}'))
        """;

    /// <summary>The segments a final SMS channel spent: its stored segments when SENT, else none.</summary>
    public static string SmsSpent(string noticeId) => $"""
        COALESCE((SELECT c.segments FROM notice_channels c WHERE c.notice_id = {noticeId} AND c.channel = '{Channels.Sms}'
            AND c.status = '{ChannelStatus.Sent}'), 0)
        """;
}
