using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Notifiche.Gateway.Notices;

namespace Notifiche.Gateway.Templates;

/// <summary>Body of <c>POST /api/v1/templates</c> and <c>PUT /api/v1/templates/{id}</c>; <see cref="TemplateValidator"/> decides.</summary>
public sealed record TemplateRequest
{
    [Required, StringLength(TemplateValidator.NameMax, MinimumLength = 1)]
    [Description("The service's own name for the template (not shown to citizens).")]
    public string? Name { get; init; }

    [Required]
    [Description("The template per language: it is required, de, fr, sl and en are optional. A notice goes to each citizen in "
        + "their profile's language when the template has it, in Italian otherwise.")]
    public TemplateLanguagesRequest? Languages { get; init; }
}

public sealed record TemplateLanguagesRequest
{
    [Required]
    public TemplateContentRequest? It { get; init; }
    public TemplateContentRequest? De { get; init; }
    public TemplateContentRequest? Fr { get; init; }
    public TemplateContentRequest? Sl { get; init; }
    public TemplateContentRequest? En { get; init; }

    public IEnumerable<(string Language, TemplateContentRequest? Content)> All() =>
        [("it", It), ("de", De), ("fr", Fr), ("sl", Sl), ("en", En)];
}

public sealed record TemplateContentRequest
{
    [Required, StringLength(NoticeValidator.SubjectMax, MinimumLength = 1)]
    [Description("Plain text with ((placeholder)) fields; once filled in it must be 10-120 characters. No control characters or bidirectional marks.")]
    public string? Subject { get; init; }

    [Required, StringLength(NoticeValidator.MarkdownMax, MinimumLength = 1)]
    [Description("CommonMark with ((placeholder)) fields (names: a lower-case letter, then lower-case letters, digits or _, at most 40 "
        + "characters; at most 20 distinct per template); once filled in it must be 80-10,000 characters. A value is inserted as text, "
        + "never as Markdown.")]
    public string? Markdown { get; init; }
}

/// <summary>A template as its service sees it.</summary>
public sealed record TemplateResponse(
    Guid Id,
    string Name,
    int Version,
    IReadOnlyDictionary<string, TemplateContentResponse> Languages,
    IReadOnlyList<string> Placeholders,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static TemplateResponse From(Template t) => new(t.Id, t.Name, t.Version,
        t.Contents.OrderBy(c => TemplateValidator.LanguageOrder(c.Language)).ToDictionary(c => c.Language, c => new TemplateContentResponse(c.Subject, c.Markdown)),
        TemplateValidator.PlaceholdersOf(t.Contents.Select(c => (c.Subject, c.Markdown))), t.CreatedAt, t.UpdatedAt);
}

public sealed record TemplateContentResponse(string Subject, string Markdown);

public sealed record TemplateListResponse(IReadOnlyList<TemplateResponse> Items);

/// <summary>Body of <c>POST /api/v1/templates/{id}/preview</c>.</summary>
public sealed record TemplatePreviewRequest
{
    [Description("A value for every placeholder of the template (all languages), as strings.")]
    public Dictionary<string, string>? Personalisation { get; init; }

    [Description("The language to preview (it, de, fr, sl, en); default it. Must be one the template has.")]
    public string? Language { get; init; }
}

/// <summary>A template rendered as a citizen would read it: the subject, the Markdown and the same safe HTML as the inbox.</summary>
public sealed record TemplatePreviewResponse(Guid TemplateId, int Version, string Language, string Subject, string Markdown, string Html);
