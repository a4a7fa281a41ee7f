namespace Notifiche.Client;

/// <summary>A citizen's profile as the app backend writes it (<c>PUT /api/v1/profiles/{fiscal_code}</c>): the whole profile.</summary>
public sealed record ProfileUpdate
{
    public string? Email { get; init; }
    /// <summary>Only verified addresses are used.</summary>
    public bool EmailVerified { get; init; }
    /// <summary>Mobile number; Italian numbers may be written without +39.</summary>
    public string? Phone { get; init; }
    public IReadOnlyList<string>? PushTokens { get; init; }
    /// <summary><c>it</c>, <c>en</c>, <c>de</c>, <c>fr</c>, <c>sl</c>: the platform's texts (Italian where not translated) and a template notice's language when the template has it.</summary>
    public string? Language { get; init; }
    /// <summary>All on when null.</summary>
    public ChannelSwitches? Channels { get; init; }
    public IReadOnlyList<string>? BlockedServices { get; init; }
    /// <summary>Services allowed to see when the citizen read their notices; none by default.</summary>
    public IReadOnlyList<string>? ReadReceiptServices { get; init; }
    /// <summary>SMS, push and Telegram wait until they end (email does not); null: the platform's (21:00–08:00 by default); equal times: none.</summary>
    public QuietHours? QuietHours { get; init; }
    /// <summary>IANA time zone of the quiet hours, e.g. <c>Europe/Rome</c>; null: the platform's.</summary>
    public string? TimeZone { get; init; }
    /// <summary>
    /// True: every notice reaches the channels as a sensitive one does, only that it is waiting in the inbox, no subject or
    /// content; null: off (and not sent, as every unset member: the API refuses members it does not know).
    /// </summary>
    public bool? ContentOnlyInInbox { get; init; }
}

/// <summary>Wall-clock times, <c>HH:mm</c> 24-hour in the profile's time zone; across midnight when From is later than To.</summary>
public sealed record QuietHours(string From, string To);

/// <summary>Which channels the citizen wants.</summary>
public sealed record ChannelSwitches(bool Email = true, bool Sms = true, bool Push = true, bool Telegram = true);

/// <summary>The stored profile (the citizen's data export).</summary>
public sealed record Profile(
    string FiscalCode,
    string? Email,
    bool EmailVerified,
    string? Phone,
    IReadOnlyList<string> PushTokens,
    string Language,
    ChannelSwitches Channels,
    IReadOnlyList<string> BlockedServices,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string> ReadReceiptServices,
    long? TelegramChatId)
{
    /// <summary>The citizen's own quiet hours; null: the platform's apply.</summary>
    public QuietHours? QuietHours { get; init; }
    /// <summary>The citizen's time zone; null: the platform's.</summary>
    public string? TimeZone { get; init; }
    public bool ContentOnlyInInbox { get; init; }
}

/// <summary>Which notices of the inbox to list.</summary>
public sealed record InboxQuery
{
    /// <summary>Only unread notices.</summary>
    public bool Unread { get; init; }
    /// <summary>Include archived notices (left out by default).</summary>
    public bool Archived { get; init; }
    /// <summary>1-100; the platform's default (20) when null.</summary>
    public int? PageSize { get; init; }
    /// <summary>The previous page's <see cref="InboxPage.NextCursor"/>.</summary>
    public string? Cursor { get; init; }
}

/// <summary>The sending service as the citizen sees it.</summary>
public sealed record InboxSender(string Id, string Name, string OrganizationName);

/// <summary>A notice in the inbox list: subject and dates, no body.</summary>
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

/// <summary>A notice as the citizen reads it: the full content, rendered, unless its retention ended (<see cref="ContentNote"/> says so).</summary>
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
    string? ContentNote)
{
    /// <summary>A notice sent from a template: the language shown (the citizen's when the template has it, else it).</summary>
    public string? Language { get; init; }
}

/// <summary>The answer to marking a notice read or (un)archiving it.</summary>
public sealed record InboxMark(Guid Id, DateTimeOffset? ReadAt, DateTimeOffset? ArchivedAt);
