namespace Notifiche.Gateway.Callbacks;

/// <summary>A service's status callback: where the gateway POSTs status changes, and the secret it signs them with.</summary>
public class StatusCallback
{
    public required string ServiceId { get; set; }
    public required string Url { get; set; }
    /// <summary>Kept as given: HMAC needs the secret itself (unlike API keys, which are only compared).</summary>
    public required string Secret { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
