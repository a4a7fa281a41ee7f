namespace Notifiche.Gateway.Notices;

/// <summary>An <c>Idempotency-Key</c> a service sent with a notice: a retry with the same key and body gets the same notice.</summary>
public class IdempotencyKey
{
    public required string ServiceId { get; set; }
    public required string Key { get; set; }
    /// <summary>SHA-256 of the normalised request, to tell a retry from a different request reusing the key.</summary>
    public required string RequestSha256 { get; set; }
    public Guid NoticeId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
