using Notifiche.Content;
using Notifiche.Gateway.Notices;

namespace Notifiche.Gateway.Inbox;

/// <summary>The sending service as the citizen sees it.</summary>
public sealed record InboxSender(string Id, string Name, string OrganizationName);

/// <summary>A notice in the list: subject and dates, no body.</summary>
public sealed record InboxItem(
    Guid Id,
    InboxSender Service,
    string? Subject,
    string? Category,
    DateOnly? DueDate,
    DateTimeOffset AcceptedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? ReadAt,
    DateTimeOffset? ArchivedAt,
    bool ContentDeleted);

/// <summary>One page of the inbox, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record InboxPage(IReadOnlyList<InboxItem> Items, string? NextCursor);

/// <summary>A notice as the citizen reads it: the full content, rendered, unless its retention ended.</summary>
public sealed record InboxNotice(
    Guid Id,
    InboxSender Service,
    string? Subject,
    string? Markdown,
    string? Html,
    string? Category,
    DateOnly? DueDate,
    DateTimeOffset AcceptedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? ReadAt,
    DateTimeOffset? ArchivedAt,
    string ContentSha256,
    DateTimeOffset? ContentDeletedAt,
    // Set when there is no content to show, saying why.
    string? ContentNote)
{
    public const string DeletedNote = "The content of this notice was deleted at the end of its retention period; its status and history are kept.";

    /// <param name="variant">The language routing sent a template notice in (<see cref="Notice.ContentLanguage"/>): shown instead.</param>
    public static InboxNotice From(Notice n, InboxSender service, NoticeVariant? variant = null)
    {
        var (subject, markdown, sha256) = variant is null ? (n.Subject, n.Markdown, n.ContentSha256) : (variant.Subject, variant.Markdown, variant.ContentSha256);
        return new(n.Id, service, subject, markdown, markdown is null ? null : NoticeMarkdown.ToHtml(markdown), n.Category, n.DueDate,
            n.AcceptedAt, n.ExpiresAt, n.ReadAt, n.ArchivedAt, sha256, n.ContentDeletedAt,
            n.ContentDeletedAt is null ? null : DeletedNote)
        {
            Language = variant?.Language ?? (n.TemplateId is null ? null : Contracts.Languages.Italian),
        };
    }

    /// <summary>A notice sent from a template: the language shown (the citizen's when the template has it, else it). Absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Language { get; init; }
}

/// <summary>Answer to marking a notice read or archived.</summary>
public sealed record InboxMark(Guid Id, DateTimeOffset? ReadAt, DateTimeOffset? ArchivedAt);
