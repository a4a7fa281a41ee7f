

namespace Notifiche.Gateway.Notices;

public sealed record NoticeCreatedResponse(Guid Id);

/// <summary>What <c>GET /api/v1/notices/{id}</c> returns: status only, no personal data.</summary>
public sealed record NoticeStatusResponse(
    Guid Id,
    string Status,
    string? RejectionReason,
    string? StatusDetail,
    string? Category,
    DateTimeOffset AcceptedAt,
    DateTimeOffset? SendAt,
    DateTimeOffset? ProcessedAt,
    DateTimeOffset ExpiresAt,
    string ContentSha256,
    IReadOnlyList<ChannelStatusResponse> Channels,
    string ReadStatus,
    DateTimeOffset? ReadAt)
{
    /// <summary>Channels the gateway withheld from routing, with the reason (e.g. SMS over the service's monthly budget).</summary>
    public IReadOnlyList<OmittedChannelResponse> OmittedChannels { get; init; } = [];

    /// <summary>Sent with a test key: its delivery was simulated, nothing reached the citizen.</summary>
    public bool Test { get; init; }

    /// <summary>The sender's own id for the notice, as submitted.</summary>
    public string? Reference { get; init; }

    public ProtocolResponse? Protocol { get; init; }

    /// <summary>Sent from a template: which, in which version, and the content each language was rendered to.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public NoticeTemplateResponse? Template { get; init; }

    /// <param name="now">The gateway's clock: a notice is SCHEDULED until its send_at.</param>
    public static NoticeStatusResponse From(Notice n, DateTimeOffset now) => new(
        n.Id, NoticeStatus.Shown(n, now), n.RejectionReason, n.StatusDetail, n.Category, n.AcceptedAt, n.SendAt, n.ProcessedAt, n.ExpiresAt, n.ContentSha256,
        [.. n.Channels.OrderBy(c => c.Channel).Select(c => new ChannelStatusResponse(c.Channel, c.Status, c.UpdatedAt, c.FailureReason) { DeferredUntil = c.DeferredUntil })],
        // The citizen's reading is shown only with their read receipts for this service: READ with the time, or UNREAD.
        !n.ReadReceipts ? Notices.ReadStatus.Unavailable : n.ReadAt is null ? Notices.ReadStatus.Unread : Notices.ReadStatus.Read,
        n.ReadReceipts ? n.ReadAt : null)
    {
        OmittedChannels = [.. n.Omissions.OrderBy(o => o.Channel).Select(o => new OmittedChannelResponse(o.Channel, o.Reason))],
        Test = n.Test,
        Reference = n.Reference,
        Protocol = ProtocolResponse.Of(n),
        Template = NoticeTemplateResponse.Of(n),
    };
}

/// <param name="Language">The language the citizen got once routed (their profile's when the template has it, else it); null before.</param>
/// <param name="Variants">content_sha256 of each language rendered at acceptance (it is the notice's own content_sha256).</param>
public sealed record NoticeTemplateResponse(Guid Id, int Version, string? Language, IReadOnlyDictionary<string, string> Variants)
{
    public static NoticeTemplateResponse? Of(Notice n) => n is { TemplateId: { } id, TemplateVersion: { } version }
        ? new(id, version, n.Status == NoticeStatus.Processed ? n.ContentLanguage ?? Contracts.Languages.Italian : null,
            new Dictionary<string, string> { [Contracts.Languages.Italian] = n.ContentSha256 }
                .Concat(n.Variants.OrderBy(v => Templates.TemplateValidator.LanguageOrder(v.Language)).Select(v => KeyValuePair.Create(v.Language, v.ContentSha256)))
                .ToDictionary())
        : null;
}

public sealed record ChannelStatusResponse(string Channel, string Status, DateTimeOffset UpdatedAt, string? Reason)
{
    /// <summary>Set when the citizen's quiet hours held the channel back: when it was (or will be) sent on. Absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? DeferredUntil { get; init; }
}

public sealed record OmittedChannelResponse(string Channel, string Reason);
