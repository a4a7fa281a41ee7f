namespace Notifiche.Client;

/// <summary>
/// A template to register or replace (<c>POST</c>/<c>PUT /api/v1/templates</c>): subject and Markdown with
/// <c>((placeholder))</c> fields per language — <c>it</c> required, <c>de</c>, <c>fr</c>, <c>sl</c>, <c>en</c> optional.
/// </summary>
public sealed record NewTemplate(string Name, IReadOnlyDictionary<string, TemplateText> Languages);

/// <param name="Subject">Plain text; 10-120 characters once filled in.</param>
/// <param name="Markdown">CommonMark; 80-10,000 characters once filled in. Values are inserted as text.</param>
public sealed record TemplateText(string Subject, string Markdown);

/// <summary>A registered template; <see cref="Version"/> goes up with each change (accepted notices keep their content).</summary>
public sealed record Template(
    Guid Id, string Name, int Version, IReadOnlyDictionary<string, TemplateText> Languages, IReadOnlyList<string> Placeholders,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A template rendered with sample values in one language, with the same safe HTML the citizen's inbox shows.</summary>
public sealed record TemplatePreview(Guid TemplateId, int Version, string Language, string Subject, string Markdown, string Html);
