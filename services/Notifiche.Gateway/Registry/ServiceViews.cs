using Notifiche.Contracts;

namespace Notifiche.Gateway.Registry;

public sealed record CreatedService(string ServiceId, string ApiKey, string KeyId, string State);

public sealed record RateLimitView(double PerSecond, int Burst);

public sealed record SmsBudgetView(int? Segments, decimal? Euro);

/// <summary>A service as the operator API shows it (snake_case JSON).</summary>
public sealed record ServiceView(
    string Id,
    string Name,
    string? Department,
    string OrganizationName,
    string OrganizationFiscalCode,
    string ContactEmail,
    IReadOnlyList<string> NoticeCategories,
    IReadOnlyList<string> AllowedChannels,
    IReadOnlyDictionary<string, int> ExpectedMonthlyVolume,
    string State,
    IReadOnlyList<string> SandboxRecipients,
    RateLimitView? RateLimit,
    int? DailyNoticeQuota,
    SmsBudgetView? MonthlySmsBudget,
    IReadOnlyList<string> AllowedSourceCidrs,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt)
{
    /// <summary>May mark notices urgent (they ignore the citizen's quiet hours).</summary>
    public bool UrgentAllowed { get; init; }

    public static ServiceView From(ServiceRecord s) => new(
        s.Id, s.Name, s.Department, s.OrganizationName, s.OrganizationFiscalCode, s.ContactEmail, s.NoticeCategories, s.AllowedChannels,
        Channels.All.Where(c => s.ExpectedMonthly(c) is not null).ToDictionary(c => c, c => s.ExpectedMonthly(c)!.Value),
        s.State, s.SandboxRecipients,
        s.RatePerSecond is { } rate ? new RateLimitView(rate, s.RateBurst ?? 1) : null,
        s.DailyNoticeQuota,
        s.MonthlySmsSegmentBudget is null && s.MonthlySmsEuroBudget is null ? null : new SmsBudgetView(s.MonthlySmsSegmentBudget, s.MonthlySmsEuroBudget),
        s.AllowedSourceCidrs, s.CreatedAt, s.UpdatedAt)
    {
        UrgentAllowed = s.UrgentAllowed,
    };
}

/// <summary>A key as listed: never its secret nor its hash.</summary>
public sealed record KeyView(Guid KeyId, string Status, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    /// <summary><c>live</c> or <c>test</c> (<see cref="KeyTypes"/>).</summary>
    public string Type { get; init; } = KeyTypes.Live;

    public static KeyView From(ApiKey key, DateTimeOffset now) => new(key.Id,
        key.IsActiveAt(now) ? "active" : key.RevokedAt is not null ? "revoked" : "expired", key.CreatedAt, key.ExpiresAt, key.RevokedAt)
    {
        Type = key.Type,
    };
}

public sealed record IssuedKeyView(Guid KeyId, string ApiKey, DateTimeOffset? ExpiresAt)
{
    public string Type { get; init; } = KeyTypes.Live;
}

/// <param name="Type"><c>live</c> (the default) or <c>test</c>: a test key's notices are validated, stored and given a status, never delivered.</param>
public sealed record IssueKeyRequest(DateTimeOffset? ExpiresAt, string? Type = null);

/// <summary>Codici fiscali to add to and remove from a sandbox service's test recipients.</summary>
public sealed record SandboxRecipientsChange(System.Text.Json.JsonElement Add, System.Text.Json.JsonElement Remove);
