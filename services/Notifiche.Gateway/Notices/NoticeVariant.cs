namespace Notifiche.Gateway.Notices;

/// <summary>
/// A notice sent from a template, in one of the template's other languages: rendered and hashed at acceptance like the
/// notice's own (Italian) content, and sent to a citizen whose profile has this language (<see cref="Notice.ContentLanguage"/>).
/// </summary>
public class NoticeVariant
{
    public Guid NoticeId { get; set; }
    public required string Language { get; set; }
    /// <summary>Null once the retention job deleted the notice's content.</summary>
    public string? Subject { get; set; }
    public string? Markdown { get; set; }
    public required string ContentSha256 { get; set; }
}
