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

    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
