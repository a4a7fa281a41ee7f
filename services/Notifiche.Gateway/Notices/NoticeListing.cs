using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Notices;

/// <summary>A notice as the listing shows it: status and the sender's own identifiers, no personal data, no content.</summary>
public sealed record NoticeSummaryResponse(
    Guid Id,
    string Status,
    string? Reference,
    ProtocolResponse? Protocol,
    string? Category,
    DateTimeOffset AcceptedAt,
    DateTimeOffset? SendAt,
    DateTimeOffset? ProcessedAt,
    bool Test);

/// <summary>The protocol number and date the administration registered the notice's act under.</summary>
public sealed record ProtocolResponse(string Number, DateOnly Date)
{
    public static ProtocolResponse? Of(Notice n) =>
        n.ProtocolNumber is { } number && n.ProtocolDate is { } date ? new ProtocolResponse(number, date) : null;
}

/// <summary>One page of <c>GET /api/v1/notices</c>: pass <see cref="NextCursor"/> back as <c>cursor</c> for the next (null: the last page).</summary>
public sealed record NoticePage(IReadOnlyList<NoticeSummaryResponse> Items, string? NextCursor);

/// <summary>
/// <c>GET /api/v1/notices</c> (issue 18, point 4): the calling service's notices, newest first, filtered by reference,
/// status and acceptance time, keyset-paged on the time-ordered UUIDv7 ids. Every filter is a range of one index
/// (<c>(service_id, id)</c>, <c>(service_id, status, id)</c>, <c>(service_id, reference, id)</c>): <c>from</c>/<c>to</c>
/// become id bounds (a UUIDv7 begins with its millisecond), so a page costs an index range scan however many notices
/// the service has.
/// </summary>
public static class NoticeListing
{
    public const int DefaultPageSize = 50, MaxPageSize = 200;

    /// <summary>The statuses the <c>status</c> filter takes: those the status API shows.</summary>
    public static readonly IReadOnlyList<string> Statuses = [NoticeStatus.Scheduled, NoticeStatus.Accepted, NoticeStatus.Processed, NoticeStatus.Rejected, NoticeStatus.Cancelled, NoticeStatus.Held, NoticeStatus.Expired];

    public sealed record Filter(string? Reference, string? Status, DateTimeOffset? From, DateTimeOffset? To, Guid? After, int PageSize);

    public static void MapNoticeListing(this RouteGroupBuilder notices) =>
        notices.MapGet("/", List)
            .Produces<NoticePage>()
            .ProducesValidationProblem()
            .WithSummary("The calling service's notices, newest first, one page at a time (pass next_cursor back as cursor): "
                + "reference (exact), status (SCHEDULED, ACCEPTED, PROCESSED, REJECTED, CANCELLED, HELD, EXPIRED), from (inclusive) and to (exclusive) on the "
                + $"acceptance time (RFC 3339, millisecond precision), page_size 1-{MaxPageSize} (default {DefaultPageSize}).");

    private static async Task<IResult> List(HttpContext http, GatewayDbContext db, TimeProvider clock,
        string? reference = null, string? status = null, string? from = null, string? to = null, string? cursor = null,
        [FromQuery(Name = "page_size")] string? pageSize = null)
    {
        var (filter, errors) = Parse(reference, status, from, to, cursor, pageSize);
        if (filter is null)
        {
            return Results.ValidationProblem(errors, title: "The listing's parameters are not valid");
        }

        var now = clock.GetUtcNow();
        var page = await Query(db, http.CallingService().Id, filter, now).ToListAsync(http.RequestAborted);
        var more = page.Count > filter.PageSize;
        var examined = page.Take(filter.PageSize).ToList();
        // SQLite (the standalone) cannot compare send_at in SQL: there a page is cut to SCHEDULED or ACCEPTED here (it may
        // then be shorter than page_size; the cursor still moves on).
        var items = examined.Where(n => filter.Status is null || NoticeStatus.Shown(n, now) == filter.Status)
            .Select(n => new NoticeSummaryResponse(n.Id, NoticeStatus.Shown(n, now), n.Reference, ProtocolResponse.Of(n), n.Category, n.AcceptedAt,
                n.SendAt, n.ProcessedAt, n.Test))
            .ToList();
        return Results.Ok(new NoticePage(items, more ? examined[^1].Id.ToString("N") : null));
    }

    public static (Filter? Filter, Dictionary<string, string[]> Errors) Parse(string? reference, string? status, string? from, string? to, string? cursor,
        string? pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (reference is not null && (reference.Length is 0 or > NoticeValidator.ReferenceMax))
        {
            errors["reference"] = [$"must be 1-{NoticeValidator.ReferenceMax} characters"];
        }

        if (status is not null && !Statuses.Contains(status))
        {
            errors["status"] = [$"must be one of: {string.Join(", ", Statuses)}"];
        }

        var since = Time("from", from, errors);
        var until = Time("to", to, errors);
        if (since is not null && until is not null && since >= until)
        {
            errors["to"] = ["must be later than from"];
        }

        Guid? after = null;
        if (cursor is not null)
        {
            if (Guid.TryParseExact(cursor, "N", out var parsed))
            {
                after = parsed;
            }
            else
            {
                errors["cursor"] = ["is not a cursor returned by this API"];
            }
        }

        var size = DefaultPageSize;
        if (pageSize is not null && (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
        {
            errors["page_size"] = [$"must be a whole number between 1 and {MaxPageSize}"];
        }

        return errors.Count > 0 ? (null, errors) : (new Filter(reference, status, since, until, after, size), errors);
    }

    /// <summary>The page's rows, newest first, one more than the page to know whether another follows.</summary>
    public static IQueryable<Notice> Query(GatewayDbContext db, string serviceId, Filter filter, DateTimeOffset now)
    {
        // A due-date reminder is listed in its notice's status, not as a notice of its own.
        var notices = db.Notices.AsNoTracking().Where(n => n.ServiceId == serviceId && n.ReminderOf == null && n.EscalationOf == null);
        if (filter.Reference is { } reference)
        {
            notices = notices.Where(n => n.Reference == reference);
        }

        if (filter.Status is { } status)
        {
            // SCHEDULED is shown, never stored: an ACCEPTED notice whose send_at is ahead.
            var stored = status == NoticeStatus.Scheduled ? NoticeStatus.Accepted : status;
            notices = notices.Where(n => n.Status == stored);
            if (db.Database.IsNpgsql())
            {
                notices = status switch
                {
                    NoticeStatus.Scheduled => notices.Where(n => n.SendAt > now),
                    NoticeStatus.Accepted => notices.Where(n => n.SendAt == null || n.SendAt <= now),
                    _ => notices,
                };
            }
        }

        if (filter.From is { } from)
        {
            var first = FirstIdAt(from);
            notices = notices.Where(n => n.Id.CompareTo(first) >= 0);
        }

        if (filter.To is { } to)
        {
            var end = FirstIdAt(to);
            notices = notices.Where(n => n.Id.CompareTo(end) < 0);
        }

        if (filter.After is { } last)
        {
            notices = notices.Where(n => n.Id.CompareTo(last) < 0);
        }

        return notices.OrderByDescending(n => n.Id).Take(filter.PageSize + 1);
    }

    /// <summary>
    /// The smallest UUIDv7 of the millisecond <paramref name="at"/> falls in: 48 bits of Unix milliseconds, version 7,
    /// variant 10, the rest zero. Every notice accepted in that millisecond or later has an id at least this one.
    /// </summary>
    public static Guid FirstIdAt(DateTimeOffset at)
    {
        var hex = Math.Max(0, at.ToUnixTimeMilliseconds()).ToString("x12", CultureInfo.InvariantCulture);
        return Guid.ParseExact($"{hex[..8]}-{hex[8..]}-7000-8000-000000000000", "D");
    }

    private static DateTimeOffset? Time(string field, string? value, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) && HasOffset(value))
        {
            return at.ToUniversalTime();
        }

        errors[field] = ["must be an RFC 3339 date-time with its offset, e.g. 2026-12-01T00:00:00Z"];
        return null;
    }

    private static bool HasOffset(string value) =>
        value.EndsWith('Z') || value.EndsWith('z') || value.Length > 6 && value[^6] is '+' or '-' && value[^3] == ':';
}
