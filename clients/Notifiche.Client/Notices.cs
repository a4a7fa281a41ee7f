namespace Notifiche.Client;

/// <summary>A courtesy notice for one citizen (<c>POST /api/v1/notices</c>).</summary>
/// <param name="FiscalCode">The citizen's codice fiscale.</param>
/// <param name="Content">Subject and Markdown body.</param>
public sealed record NewNotice(string FiscalCode, NoticeContent Content)
{
    /// <summary>Seconds the notice may wait for delivery before its channels expire; the platform's default (7 days) when null.</summary>
    public int? TimeToLive { get; init; }

    /// <summary>Used only when the citizen has no profile.</summary>
    public DefaultAddresses? DefaultAddresses { get; init; }

    /// <summary>One of the notice categories declared in the service's census.</summary>
    public string? Category { get; init; }
}

/// <param name="Subject">No control characters, no bidirectional marks.</param>
/// <param name="Markdown">CommonMark; raw HTML is shown as text.</param>
public sealed record NoticeContent(string Subject, string Markdown)
{
    public DateOnly? DueDate { get; init; }
}

public sealed record DefaultAddresses(string? Email);

/// <summary>The answer to a submission.</summary>
/// <param name="Id">The notice id (also in <c>Location</c>).</param>
/// <param name="Replayed">True when the gateway recognised the idempotency key and returned the notice it accepted earlier (200, <c>Idempotent-Replayed</c>).</param>
/// <param name="IdempotencyKey">The key the call was made with (generated when the caller gave none): keep it to retry later.</param>
public sealed record SubmittedNotice(Guid Id, bool Replayed, string IdempotencyKey);

/// <summary>A notice's status, per channel (<c>GET /api/v1/notices/{id}</c>); no personal data.</summary>
public sealed record NoticeStatus(
    Guid Id,
    string Status,
    string? RejectionReason,
    string? StatusDetail,
    string? Category,
    DateTimeOffset AcceptedAt,
    DateTimeOffset? ProcessedAt,
    DateTimeOffset ExpiresAt,
    string ContentSha256,
    IReadOnlyList<ChannelStatus> Channels,
    string ReadStatus,
    DateTimeOffset? ReadAt)
{
    /// <summary>Channels the gateway withheld from routing, with the reason.</summary>
    public IReadOnlyList<OmittedChannel> OmittedChannels { get; init; } = [];

    /// <summary>The status of one channel (<c>email</c>, <c>sms</c>, <c>push</c>, <c>telegram</c>), or null when it was not planned.</summary>
    public ChannelStatus? Channel(string channel) => Channels.FirstOrDefault(c => c.Channel == channel);
}

public sealed record ChannelStatus(string Channel, string Status, DateTimeOffset UpdatedAt, string? Reason);

public sealed record OmittedChannel(string Channel, string Reason);

/// <summary>A notice's audit trail, oldest first (<c>GET /api/v1/notices/{id}/events</c>).</summary>
public sealed record NoticeEvents(Guid NoticeId, string ContentSha256, IReadOnlyList<NoticeEvent> Events);

public sealed record NoticeEvent(long Sequence, string Type, string? Channel, string? Detail, DateTimeOffset At);

/// <summary>The registered status callback; the secret is never returned.</summary>
public sealed record CallbackRegistration(string Url, DateTimeOffset UpdatedAt);
