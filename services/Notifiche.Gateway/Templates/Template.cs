namespace Notifiche.Gateway.Templates;

/// <summary>
/// A service's notice template (issue 18 point 5): a subject and Markdown with <c>((placeholder))</c> fields per language,
/// Italian always. Belongs to the service that registered it; no other service sees it. A notice sent from it stores the
/// content rendered at acceptance, so changing or deleting the template never changes a notice already accepted;
/// <see cref="Version"/> counts the changes and each notice records the version it was rendered from.
/// </summary>
public class Template
{
    public Guid Id { get; set; }
    public required string ServiceId { get; set; }
    public required string Name { get; set; }
    public int Version { get; set; } = 1;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<TemplateContent> Contents { get; set; } = [];
}

/// <summary>A template's subject and Markdown in one language.</summary>
public class TemplateContent
{
    public Guid TemplateId { get; set; }
    public required string Language { get; set; }
    public required string Subject { get; set; }
    public required string Markdown { get; set; }
}
