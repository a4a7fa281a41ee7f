using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Registry;
using Notifiche.Gateway.Templates;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;

namespace Notifiche.Gateway.Notices;

public static class NoticeEndpoints
{
    /// <summary>Largest accepted body: 10,000 characters of Markdown (up to 4 UTF-8 bytes each, JSON-escaped) plus the rest.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static void MapNotices(this IEndpointRouteBuilder app)
    {
        var notices = app.MapGroup("/api/v1/notices").RequireAuthorization(KeySchemes.Service).WithTags("Notices")
            .AddEndpointFilter(HttpSubmissionFilters.SourceAddressAsync);

        notices.MapPost("/", Submit)
            .Accepts<SubmitNoticeRequest>("application/json")
            .Produces<NoticeCreatedResponse>(StatusCodes.Status201Created)
            .Produces<NoticeCreatedResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddEndpointFilter(HttpSubmissionFilters.RateLimitAsync)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Submits a courtesy notice for one citizen; 201 only once it is durably stored. "
                + "With an Idempotency-Key header, a retry with the same key and body within 24 h answers 200 with the original notice.");

        notices.MapNoticeListing();

        notices.MapGet("/{id:guid}", Get)
            .Produces<NoticeStatusResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Status of a notice of the calling service, per channel.");

        notices.MapPost("/{id:guid}/resolve", Resolve)
            .Produces<NoticeStatusResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Resolves a notice (e.g. the tax was paid): cancels its due-date reminders still pending, and the notice itself if it "
                + "is still scheduled (send_at ahead). Answers 200 with the notice's status (resolved_at, each reminder's status, CANCELLED "
                + "where cancelled); resolving again changes nothing and answers the same, with the first resolved_at.");
    }

    private static async Task<IResult> Submit(HttpContext http, NoticeStore store, GatewayDbContext db, IOptions<JsonOptions> json, TimeProvider clock)
    {
        var ct = http.RequestAborted;
        // A body that is not JSON never gets here: the Accepts metadata makes routing answer 415 (see GatewayExtensions).
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return TooLarge();
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        SubmitNoticeRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<SubmitNoticeRequest>(http.Request.Body, json.Value.SerializerOptions, ct);
        }
        catch (JsonException e)
        {
            return JsonBodyErrors.Problem(e);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }

        if (request is null)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["must be a JSON object"] });
        }

        var template = request.TemplateId is { } templateId ? await db.FindTemplateAsync(http.CallingService().Id, templateId, ct) : null;
        var (valid, errors) = NoticeValidator.Validate(request, clock.GetUtcNow(), template, http.CallingService().AllowedChannels);
        var idempotencyKey = http.Request.Headers[IdempotencyKeys.Header].FirstOrDefault();
        if (idempotencyKey is not null && IdempotencyKeys.Validate(idempotencyKey) is { } keyProblem)
        {
            errors[IdempotencyKeys.Header] = [keyProblem];
        }

        if (valid is null || errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The notice is not valid");
        }

        // A database that cannot take the write throws: StorageUnavailableHandler (ServiceDefaults) answers 503, nothing accepted.
        switch (await store.AcceptAsync(http.CallingService(), valid, idempotencyKey, ct, test: http.CallingWithTestKey()))
        {
            case Acceptance.Accepted accepted:
                Activity.Current?.SetTag(NoticeIdTagging.Tag, accepted.NoticeId.ToString());
                return Results.Created($"/api/v1/notices/{accepted.NoticeId}", new NoticeCreatedResponse(accepted.NoticeId));
            case Acceptance.Replayed replayed:
                http.Response.Headers.Location = $"/api/v1/notices/{replayed.NoticeId}";
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return Results.Ok(new NoticeCreatedResponse(replayed.NoticeId));
            case Acceptance.Refused { Refusal: var refusal }:
                return refusal.ToResult(http);
            default:
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Idempotency-Key already used",
                    detail: "This Idempotency-Key was used in the last 24 hours for a different notice; use a new key for a new notice.");
        }
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, GatewayDbContext db, TimeProvider clock) =>
        await StatusAsync(id, http.CallingService().Id, db, clock, http.RequestAborted) is { } status
            ? Results.Ok(status)
            : NotFound();

    private static async Task<IResult> Resolve(Guid id, HttpContext http, NoticeResolution resolution, GatewayDbContext db, TimeProvider clock)
    {
        var serviceId = http.CallingService().Id;
        if (await resolution.ResolveAsync(serviceId, id, http.RequestAborted) is null)
        {
            return NotFound();
        }

        db.ChangeTracker.Clear();
        return Results.Ok(await StatusAsync(id, serviceId, db, clock, http.RequestAborted));
    }

    private static async Task<NoticeStatusResponse?> StatusAsync(Guid id, string serviceId, GatewayDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var notice = await db.Notices.AsNoTracking().Include(n => n.Channels).Include(n => n.Omissions).Include(n => n.Variants)
            .FirstOrDefaultAsync(n => n.Id == id && n.ServiceId == serviceId, ct);
        if (notice is null)
        {
            return null;
        }

        // The rows of its reminders and escalation steps, in one look and only for a notice that has some.
        var related = (notice.DueDate is null || notice.ReminderOf is not null) && notice.EscalationSteps is null
            ? []
            : await db.Notices.AsNoTracking().Where(n => n.ReminderOf == id || n.EscalationOf == id).ToListAsync(ct);
        return NoticeStatusResponse.From(notice, clock.GetUtcNow(), [.. related.Where(r => r.ReminderOf == id)], [.. related.Where(r => r.EscalationOf == id)]);
    }

    private static IResult NotFound() =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Notice not found",
            detail: "No notice with this id was sent by your service.");

    private static IResult TooLarge() =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large",
            detail: $"A notice body may be at most {MaxBodyBytes} bytes.");
}
