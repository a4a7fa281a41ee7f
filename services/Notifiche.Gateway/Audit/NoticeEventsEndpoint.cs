using Microsoft.EntityFrameworkCore;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Audit;

public sealed record NoticeEventResponse(long Sequence, string Type, string? Channel, string? Detail, DateTimeOffset At);

public sealed record NoticeEventsResponse(Guid NoticeId, string ContentSha256, IReadOnlyList<NoticeEventResponse> Events)
{
    /// <summary>The sender's own id for the notice, as submitted.</summary>
    public string? Reference { get; init; }

    public ProtocolResponse? Protocol { get; init; }
}

public static class NoticeEventsEndpoint
{
    public static void MapNoticeEvents(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/notices/{id:guid}/events", GetEvents)
            .RequireAuthorization(KeySchemes.Service).WithTags("Notices")
            .AddEndpointFilter(HttpSubmissionFilters.SourceAddressAsync)
            .Produces<NoticeEventsResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The notice's audit trail, oldest first: accepted, routed, each dispatch attempt, sent/failed/expired, "
                + "read (only with the citizen's read receipts), status callbacks, content deletion.");

    private static async Task<IResult> GetEvents(Guid id, HttpContext http, GatewayDbContext db)
    {
        var ct = http.RequestAborted;
        var service = http.CallingService();
        var notice = await db.Notices.AsNoTracking().Where(n => n.Id == id && n.ServiceId == service.Id)
            .Select(n => new { n.ContentSha256, n.ReadReceipts, n.Reference, n.ProtocolNumber, n.ProtocolDate }).FirstOrDefaultAsync(ct);
        if (notice is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Notice not found",
                detail: "No notice with this id was sent by your service.");
        }

        var events = await db.NoticeEvents.AsNoTracking()
            .Where(e => e.NoticeId == id && (notice.ReadReceipts || e.Type != NoticeEventTypes.Read))
            .OrderBy(e => e.Sequence)
            .Select(e => new NoticeEventResponse(e.Sequence, e.Type, e.Channel, e.Detail, e.At))
            .ToListAsync(ct);
        // In append order, which is causal (StatusOrder); the times come from several services' clocks and need not be.
        return Results.Ok(new NoticeEventsResponse(id, notice.ContentSha256, events)
        {
            Reference = notice.Reference,
            Protocol = notice is { ProtocolNumber: { } number, ProtocolDate: { } date } ? new ProtocolResponse(number, date) : null,
        });
    }
}
