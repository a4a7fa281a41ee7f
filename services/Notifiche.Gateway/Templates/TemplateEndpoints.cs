using Microsoft.EntityFrameworkCore;
using Notifiche.Content;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Templates;

/// <summary>A service registers, lists, shows, changes, deletes and previews its own templates (with its API key).</summary>
public static class TemplateEndpoints
{
    public static void MapTemplates(this IEndpointRouteBuilder app)
    {
        var templates = app.MapGroup("/api/v1/templates").RequireAuthorization(KeySchemes.Service).WithTags("Templates")
            .AddEndpointFilter(HttpSubmissionFilters.SourceAddressAsync);
        templates.MapPost("/", Create).Produces<TemplateResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary("Registers a template: subject and Markdown with ((placeholder)) fields, per language (it required; de, fr, sl, en optional).");
        templates.MapGet("/", List).Produces<TemplateListResponse>()
            .WithSummary("The calling service's templates, newest first.");
        templates.MapGet("/{id:guid}", Get).Produces<TemplateResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One template of the calling service.");
        templates.MapPut("/{id:guid}", Update).Produces<TemplateResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Replaces a template (its version goes up by one). Notices already accepted keep the content they were rendered with.");
        templates.MapDelete("/{id:guid}", Delete).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Deletes a template. Notices already accepted keep their content.");
        templates.MapPost("/{id:guid}/preview", Preview).Produces<TemplatePreviewResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Renders a template with sample values, in one language: the subject, the Markdown and the same safe HTML the inbox shows. Stores nothing.");
    }

    /// <summary>The calling service's template with its contents, or null (another service's template is not found either).</summary>
    public static Task<Template?> FindTemplateAsync(this GatewayDbContext db, string serviceId, Guid id, CancellationToken ct) =>
        db.Templates.AsNoTracking().Include(t => t.Contents).FirstOrDefaultAsync(t => t.Id == id && t.ServiceId == serviceId, ct);

    private static async Task<IResult> Create(TemplateRequest request, HttpContext http, GatewayDbContext db, TimeProvider clock)
    {
        var (name, texts, errors) = TemplateValidator.Validate(request);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The template is not valid");
        }

        var now = clock.GetUtcNow();
        var template = new Template
        {
            Id = Guid.CreateVersion7(now), ServiceId = http.CallingService().Id, Name = name!, CreatedAt = now, UpdatedAt = now,
            Contents = [.. texts.Select(t => new TemplateContent { Language = t.Language, Subject = t.Subject, Markdown = t.Markdown })],
        };
        db.Templates.Add(template);
        await db.SaveChangesAsync(http.RequestAborted);
        return Results.Created($"/api/v1/templates/{template.Id}", TemplateResponse.From(template));
    }

    private static async Task<IResult> List(HttpContext http, GatewayDbContext db)
    {
        var serviceId = http.CallingService().Id;
        var templates = await db.Templates.AsNoTracking().Include(t => t.Contents).Where(t => t.ServiceId == serviceId)
            .OrderByDescending(t => t.Id).ToListAsync(http.RequestAborted);
        return Results.Ok(new TemplateListResponse([.. templates.Select(TemplateResponse.From)]));
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, GatewayDbContext db) =>
        await db.FindTemplateAsync(http.CallingService().Id, id, http.RequestAborted) is { } template
            ? Results.Ok(TemplateResponse.From(template))
            : NotFound();

    private static async Task<IResult> Update(Guid id, TemplateRequest request, HttpContext http, GatewayDbContext db, TimeProvider clock)
    {
        var (name, texts, errors) = TemplateValidator.Validate(request);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The template is not valid");
        }

        var serviceId = http.CallingService().Id;
        var template = await db.Templates.Include(t => t.Contents).FirstOrDefaultAsync(t => t.Id == id && t.ServiceId == serviceId, http.RequestAborted);
        if (template is null)
        {
            return NotFound();
        }

        template.Name = name!;
        foreach (var content in template.Contents.ToList())
        {
            if (texts.FirstOrDefault(t => t.Language == content.Language) is { } text)
            {
                (content.Subject, content.Markdown) = (text.Subject, text.Markdown);
            }
            else
            {
                template.Contents.Remove(content);
            }
        }

        foreach (var text in texts.Where(t => template.Contents.All(c => c.Language != t.Language)))
        {
            template.Contents.Add(new TemplateContent { Language = text.Language, Subject = text.Subject, Markdown = text.Markdown });
        }

        template.Version++;
        template.UpdatedAt = clock.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(http.RequestAborted);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Template changed meanwhile",
                detail: "Another request changed or deleted this template at the same time; read it again and retry.");
        }

        return Results.Ok(TemplateResponse.From(template));
    }

    private static async Task<IResult> Delete(Guid id, HttpContext http, GatewayDbContext db)
    {
        var serviceId = http.CallingService().Id;
        var ct = http.RequestAborted;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var mine = db.Templates.Where(t => t.Id == id && t.ServiceId == serviceId);
        await db.TemplateContents.Where(c => mine.Any(t => t.Id == c.TemplateId)).ExecuteDeleteAsync(ct);
        var deleted = await mine.ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return deleted > 0 ? Results.NoContent() : NotFound();
    }

    private static async Task<IResult> Preview(Guid id, TemplatePreviewRequest request, HttpContext http, GatewayDbContext db)
    {
        if (await db.FindTemplateAsync(http.CallingService().Id, id, http.RequestAborted) is not { } template)
        {
            return NotFound();
        }

        var errors = new Dictionary<string, string[]>();
        var language = request.Language?.Trim().ToLowerInvariant() ?? TemplateValidator.Languages[0];
        if (template.Contents.All(c => c.Language != language))
        {
            errors["language"] = [$"must be one of the template's languages: {string.Join(", ", template.Contents.Select(c => c.Language))}"];
        }

        var rendered = TemplateRendering.Render(template, request.Personalisation, errors);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The preview cannot be rendered");
        }

        var text = rendered.Single(r => r.Language == language);
        return Results.Ok(new TemplatePreviewResponse(template.Id, template.Version, language, text.Subject, text.Markdown, NoticeMarkdown.ToHtml(text.Markdown)));
    }

    private static IResult NotFound() =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Template not found", detail: "Your service has no template with this id.");
}
