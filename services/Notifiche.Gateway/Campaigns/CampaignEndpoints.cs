using Microsoft.EntityFrameworkCore;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Registry;
using Notifiche.Gateway.Templates;
using Notifiche.ServiceDefaults;

namespace Notifiche.Gateway.Campaigns;

/// <summary>A service uploads a campaign, follows its progress and cancels it (with its API key).</summary>
public static class CampaignEndpoints
{
    /// <summary>Largest upload (a larger one is 413 before it is read): 100,000 rows of a codice fiscale and a few short values.</summary>
    public const long MaxBodyBytes = 64L * 1024 * 1024;

    public const string Path = "/api/v1/campaigns";

    /// <summary>The detail of a 415 (answered by routing, from the endpoint's <c>Accepts</c>, before the endpoint runs).</summary>
    public const string UnsupportedMediaType = "Send the file as 'Content-Type: text/csv' or 'Content-Type: application/x-ndjson' (JSON lines).";

    public static void MapCampaigns(this IEndpointRouteBuilder app)
    {
        var campaigns = app.MapGroup(Path).RequireAuthorization(KeySchemes.Service).WithTags("Campaigns")
            .AddEndpointFilter(HttpSubmissionFilters.SourceAddressAsync);
        campaigns.MapPost("/", Create)
            .Accepts<string>("text/csv", "application/x-ndjson", "application/jsonl")
            .WithMetadata(new BodySizeLimit(MaxBodyBytes))
            .Produces<CampaignResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Sends a template to the citizens of a file: CSV (text/csv; semicolons or commas; UTF-8 with or without BOM; header row "
                + "codice_fiscale then every placeholder of the template) or JSON lines (application/x-ndjson; one object per line with "
                + "codice_fiscale and every placeholder), up to 100,000 rows, template_id in the query. Answers 202 with the campaign once "
                + "stored: valid rows become ordinary notices (quota and SMS budget apply to each), a few at a time, behind single notices; "
                + "invalid rows are listed by number and reason. A file that is not CSV or JSON lines, lacks the header or has too many rows "
                + "is a 400 and nothing is stored.");
        campaigns.MapGet("/{id:guid}", Get).Produces<CampaignResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A campaign's progress: rows accepted, rejected (with row numbers and reasons), admitted, refused; notices routed, sent, failed.");
        campaigns.MapPost("/{id:guid}/cancel", Cancel).Produces<CampaignResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Cancels a campaign: rows not released for admission yet are dropped (with their data); the few already on their way and the notices already admitted go on. Cancelling again changes nothing.");
    }

    private static async Task<IResult> Create(HttpContext http, Guid? template_id, GatewayDbContext db, CampaignUpload upload)
    {
        var ct = http.RequestAborted;
        if (CampaignFile.FormatOf(http.Request.ContentType) is not { } format)
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported file type", detail: UnsupportedMediaType);
        }

        var service = http.CallingService();
        var template = template_id is { } id ? await db.FindTemplateAsync(service.Id, id, ct) : null;
        if (template is null)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["template_id"] = [template_id is null ? "is required (query parameter)" : "is not a template of your service"],
            }, title: "The campaign is not valid");
        }

        CampaignUpload.Stored stored;
        try
        {
            stored = await upload.StoreAsync(service, template, http.CallingWithTestKey(), http.Request.Body, format, ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }

        if (stored.Campaign is not { } campaign)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [stored.Field!] = [stored.Problem!] },
                title: "The file is not a campaign file", detail: "Nothing was stored.");
        }

        return Results.Accepted($"/api/v1/campaigns/{campaign.Id}", await CampaignProgress.ReadAsync(db, campaign, ct));
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, GatewayDbContext db) =>
        await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id && c.ServiceId == http.CallingService().Id, http.RequestAborted) is { } campaign
            ? Results.Ok(await CampaignProgress.ReadAsync(db, campaign, http.RequestAborted))
            : NotFound();

    private static async Task<IResult> Cancel(Guid id, HttpContext http, GatewayDbContext db, TimeProvider clock)
    {
        var ct = http.RequestAborted;
        var serviceId = http.CallingService().Id;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var campaign = await db.Campaigns.FirstOrDefaultAsync(c => c.Id == id && c.ServiceId == serviceId, ct);
        if (campaign is null)
        {
            return NotFound();
        }

        campaign.CancelledAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        // Rows already released (at most Gateway:Campaigns:InFlight) are on their way to admission and become notices.
        var dropped = await db.CampaignRows.Where(r => r.CampaignId == id && !r.Released).ExecuteDeleteAsync(ct);
        await db.Campaigns.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.RowsCancelled, c => c.RowsCancelled + dropped), ct);
        await tx.CommitAsync(ct);
        // As stored (microseconds), so that a second cancel answers the same cancelled_at.
        db.ChangeTracker.Clear();
        return Results.Ok(await CampaignProgress.ReadAsync(db, await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == id, ct), ct));
    }

    private static IResult NotFound() =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Campaign not found", detail: "No campaign with this id was sent by your service.");

    private static IResult TooLarge() =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "File too large",
            detail: $"A campaign file may be at most {MaxBodyBytes / (1024 * 1024)} MiB; split it into several campaigns.");
}
