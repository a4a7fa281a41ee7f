using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Outbox;
using Notifiche.Messaging;
using Notifiche.Validation;

namespace Notifiche.Gateway.Inbox;

/// <summary>
/// The citizen's inbox, for the citizen app backend (its own key): list, read, mark read, archive. Only routed notices
/// are in it (rejected ones never are); expired ones stay readable. Another citizen's notice is simply not found.
/// </summary>
public static class InboxEndpoints
{
    /// <summary>Not "AppBackend": the Standalone host composes the gateway and Preferences, whose scheme has that name.</summary>
    public const string Scheme = "InboxAppBackend";
    public const string AppBackendKeySetting = "Gateway:AppBackendKey";
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static void MapInbox(this IEndpointRouteBuilder app)
    {
        var inbox = app.MapGroup("/api/v1/inbox/{fiscal_code}/notices").RequireAuthorization(Scheme).WithTags("Inbox");
        inbox.MapGet("/", List).Produces<InboxPage>().ProducesValidationProblem()
            .WithSummary("The citizen's notices, newest first, one page at a time: pass next_cursor back as cursor. "
                + "unread=true lists only unread notices; archived ones are left out unless archived=true.");
        inbox.MapGet("/{id:guid}", Read).Produces<InboxNotice>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One notice with its full content (Markdown and safe HTML) and its sender.");
        inbox.MapPost("/{id:guid}/read", MarkRead).Produces<InboxMark>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Marks the notice read (the first time counts); the sender sees it only if the citizen allows read receipts.");
        inbox.MapPost("/{id:guid}/archive", Archive).Produces<InboxMark>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Moves the notice out of the default listing.");
        inbox.MapDelete("/{id:guid}/archive", Unarchive).Produces<InboxMark>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Brings an archived notice back into the default listing.");
    }

    private static async Task<IResult> List([FromRoute(Name = "fiscal_code")] string fiscalCodeInput, GatewayDbContext db, CancellationToken ct,
        bool unread = false, bool archived = false, [FromQuery(Name = "page_size")] int? pageSize = null, string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        var fiscalCode = Citizen(fiscalCodeInput, errors);
        var size = pageSize ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
        {
            errors["page_size"] = [$"must be between 1 and {MaxPageSize}"];
        }

        Guid? after = null;
        if (cursor is not null)
        {
            if (Guid.TryParse(cursor, out var parsed))
            {
                after = parsed;
            }
            else
            {
                errors["cursor"] = ["is not a cursor returned by this API"];
            }
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        var notices = OfCitizen(db, fiscalCode);
        if (!archived)
        {
            notices = notices.Where(n => n.ArchivedAt == null);
        }

        if (unread)
        {
            notices = notices.Where(n => n.ReadAt == null);
        }

        if (after is { } last)
        {
            // Keyset paging on the time-ordered UUIDv7: a notice accepted meanwhile lands before the first page, never in between.
            notices = notices.Where(n => n.Id.CompareTo(last) < 0);
        }

        var page = await notices.OrderByDescending(n => n.Id).Take(size + 1)
            .Join(db.Services, n => n.ServiceId, s => s.Id, (n, s) => new InboxItem(
                n.Id, new InboxSender(s.Id, s.Name, s.OrganizationName),
                // A template notice in the citizen's language, when routing sent them a variant.
                n.ContentLanguage == null ? n.Subject : db.NoticeVariants.Where(v => v.NoticeId == n.Id && v.Language == n.ContentLanguage).Select(v => v.Subject).FirstOrDefault(),
                n.Category, n.DueDate, n.AcceptedAt, n.ExpiresAt,
                n.ReadAt, n.ArchivedAt, n.ContentDeletedAt != null))
            .ToListAsync(ct);
        // The join does not keep the order on every provider.
        var items = page.OrderByDescending(i => i.Id.ToString()).Take(size).ToList();
        return Results.Ok(new InboxPage(items, page.Count > size ? items[^1].Id.ToString() : null));
    }

    private static async Task<IResult> Read([FromRoute(Name = "fiscal_code")] string fiscalCodeInput, Guid id, GatewayDbContext db, CancellationToken ct)
    {
        if (Invalid(fiscalCodeInput, out var fiscalCode) is { } invalid)
        {
            return invalid;
        }

        var found = await OfCitizen(db, fiscalCode).Where(n => n.Id == id)
            .Join(db.Services, n => n.ServiceId, s => s.Id, (n, s) => new { Notice = n, Sender = new InboxSender(s.Id, s.Name, s.OrganizationName) })
            .FirstOrDefaultAsync(ct);
        Activity.Current?.SetTag(NoticeIdTagging.Tag, id.ToString());
        if (found is null)
        {
            return NotFound();
        }

        var variant = found.Notice.ContentLanguage is { } language
            ? await db.NoticeVariants.AsNoTracking().FirstOrDefaultAsync(v => v.NoticeId == id && v.Language == language, ct)
            : null;
        return Results.Ok(InboxNotice.From(found.Notice, found.Sender, variant));
    }

    /// <summary>
    /// Sets read_at once (a conditional update, so concurrent calls record one read), with its audit entry and, when the
    /// citizen allows read receipts, the READ status change for the sender's callback, in one transaction.
    /// </summary>
    private static async Task<IResult> MarkRead([FromRoute(Name = "fiscal_code")] string fiscalCodeInput, Guid id, GatewayDbContext db,
        StatusAnnouncements announcements, OutboxSignal outbox, TimeProvider clock, CancellationToken ct)
    {
        if (Invalid(fiscalCodeInput, out var fiscalCode) is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var marked = await OfCitizen(db, fiscalCode).Where(n => n.Id == id && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        var announced = false;
        if (marked > 0)
        {
            var notice = await db.Notices.AsNoTracking().Where(n => n.Id == id).Select(n => new { n.ServiceId, n.ReadReceipts }).FirstAsync(ct);
            db.Record(id, NoticeEventTypes.Read, now);
            if (notice.ReadReceipts)
            {
                announced = await announcements.AnnounceAsync(id, notice.ServiceId, ReadStatus.Read, now, ct);
            }

            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);
        if (announced)
        {
            outbox.Notify();
        }

        return await MarkAsync(db, fiscalCode, id, ct);
    }

    private static async Task<IResult> Archive([FromRoute(Name = "fiscal_code")] string fiscalCodeInput, Guid id, GatewayDbContext db,
        TimeProvider clock, CancellationToken ct)
    {
        if (Invalid(fiscalCodeInput, out var fiscalCode) is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        await OfCitizen(db, fiscalCode).Where(n => n.Id == id && n.ArchivedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ArchivedAt, now), ct);
        return await MarkAsync(db, fiscalCode, id, ct);
    }

    private static async Task<IResult> Unarchive([FromRoute(Name = "fiscal_code")] string fiscalCodeInput, Guid id, GatewayDbContext db,
        CancellationToken ct)
    {
        if (Invalid(fiscalCodeInput, out var fiscalCode) is { } invalid)
        {
            return invalid;
        }

        await OfCitizen(db, fiscalCode).Where(n => n.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ArchivedAt, (DateTimeOffset?)null), ct);
        return await MarkAsync(db, fiscalCode, id, ct);
    }

    private static async Task<IResult> MarkAsync(GatewayDbContext db, string fiscalCode, Guid id, CancellationToken ct)
    {
        Activity.Current?.SetTag(NoticeIdTagging.Tag, id.ToString());
        var mark = await OfCitizen(db, fiscalCode).Where(n => n.Id == id)
            .Select(n => new InboxMark(n.Id, n.ReadAt, n.ArchivedAt)).FirstOrDefaultAsync(ct);
        return mark is null ? NotFound() : Results.Ok(mark);
    }

    /// <summary>The notices in a citizen's inbox: routed to them, never the rejected ones (or those not routed yet).</summary>
    private static IQueryable<Notice> OfCitizen(GatewayDbContext db, string fiscalCode) =>
        // A test key's notice is never the citizen's: it is not shown, read or archived here.
        db.Notices.AsNoTracking().Where(n => n.FiscalCode == fiscalCode && n.Status == NoticeStatus.Processed && !n.Test && n.ReminderOf == null && n.EscalationOf == null);

    /// <summary>The problem with an invalid codice fiscale (not echoing it), or null with the normalised one.</summary>
    private static IResult? Invalid(string input, out string fiscalCode)
    {
        var errors = new Dictionary<string, string[]>();
        fiscalCode = Citizen(input, errors);
        return errors.Count > 0 ? Results.ValidationProblem(errors) : null;
    }

    /// <summary>The normalised codice fiscale; an invalid one is reported without echoing it.</summary>
    private static string Citizen(string input, Dictionary<string, string[]> errors)
    {
        if (FiscalCode.Validate(input, out var fiscalCode) is { } problem)
        {
            errors["fiscal_code"] = [problem];
        }

        return fiscalCode;
    }

    private static IResult NotFound() =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Notice not found", detail: "This citizen's inbox holds no notice with this id.");
}
