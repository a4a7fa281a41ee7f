namespace Notifiche.Gateway.Governance;

/// <summary>A service's token bucket, shared by every gateway instance (one atomic UPDATE per request).</summary>
public class RateBucket
{
    public required string ServiceId { get; set; }
    public double Tokens { get; set; }
    /// <summary>Unix milliseconds of the last refill: integer arithmetic that PostgreSQL and SQLite evaluate alike.</summary>
    public long RefilledAtMs { get; set; }
    /// <summary>1 when the last take succeeded (read back with RETURNING).</summary>
    public int Granted { get; set; }
}
