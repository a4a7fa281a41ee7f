namespace Notifiche.Gateway.Notices;

/// <summary>Body of <c>POST /api/v1/notices</c> (snake_case JSON). Everything nullable so that a missing field gets a clear error.</summary>
public sealed record SubmitNoticeRequest
{
    public string? FiscalCode { get; init; }
    public NoticeContentRequest? Content { get; init; }
    public int? TimeToLive { get; init; }
    public DefaultAddressesRequest? DefaultAddresses { get; init; }
    public string? Category { get; init; }
}

public sealed record NoticeContentRequest
{
    public string? Subject { get; init; }
    public string? Markdown { get; init; }
    public DateOnly? DueDate { get; init; }
}

public sealed record DefaultAddressesRequest
{
    public string? Email { get; init; }
}

/// <summary>A request that passed validation, normalised.</summary>
public sealed record ValidNotice(
    string FiscalCode,
    string Subject,
    string Markdown,
    DateOnly? DueDate,
    int TimeToLiveSeconds,
    string? DefaultEmail,
    string? Category);
