namespace Notifiche.Gateway.Registry;

/// <summary>An API key of a service; only the SHA-256 of the secret is stored.</summary>
public class ApiKey
{
    public Guid Id { get; set; }
    public required string ServiceId { get; set; }
    public required string KeyHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>After this instant the key no longer authenticates; null: until revoked.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
    /// <summary><see cref="KeyTypes"/>: a <c>test</c> key's notices go through the API like live ones but are never delivered.</summary>
    public string Type { get; set; } = KeyTypes.Live;

    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>
/// What a key's notices do (issue 18, point 3, after GOV.UK Notify's live and test keys). Both go through validation,
/// storage, audit, status and callbacks; a <see cref="Test"/> key's notices are never routed to a citizen's channels nor
/// handed to a dispatcher: the gateway simulates their delivery (<see cref="Notices.TestNotices"/>).
/// </summary>
public static class KeyTypes
{
    public const string Live = "live";
    public const string Test = "test";

    public static readonly IReadOnlyList<string> All = [Live, Test];
}
