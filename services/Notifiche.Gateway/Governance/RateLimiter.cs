using Notifiche.Gateway.Data;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Governance;

/// <summary>
/// A token bucket per service, kept in the database so that every gateway instance draws from the same bucket:
/// refill and take are one atomic upsert (the row lock orders concurrent requests).
/// </summary>
public sealed class RateLimiter(GatewayDbContext db, TimeProvider clock)
{
    // Tokens after refilling for the time elapsed since the last refill, capped at the burst (a clock behind the stored
    // refill time refills nothing).
    private const string Refilled = """
        (CASE WHEN rate_buckets.tokens + (CASE WHEN @now > rate_buckets.refilled_at_ms THEN @now - rate_buckets.refilled_at_ms ELSE 0 END) * @rate / 1000.0 > @burst
              THEN @burst
              ELSE rate_buckets.tokens + (CASE WHEN @now > rate_buckets.refilled_at_ms THEN @now - rate_buckets.refilled_at_ms ELSE 0 END) * @rate / 1000.0 END)
        """;

    private const string Take = $"""
        INSERT INTO rate_buckets (service_id, tokens, refilled_at_ms, granted) VALUES (@service, @burst - 1, @now, 1)
        ON CONFLICT (service_id) DO UPDATE SET
            tokens = CASE WHEN {Refilled} >= 1 THEN {Refilled} - 1 ELSE {Refilled} END,
            granted = CASE WHEN {Refilled} >= 1 THEN 1 ELSE 0 END,
            refilled_at_ms = CASE WHEN @now > rate_buckets.refilled_at_ms THEN @now ELSE rate_buckets.refilled_at_ms END
        RETURNING tokens, granted
        """;

    /// <summary>Takes one token for a request of the service.</summary>
    /// <returns>null when granted (or the service has no rate limit), else how long until a token is available.</returns>
    /// <summary>The bucket size when the operator gave only a rate: one second's worth, at least one request.</summary>
    public static int DefaultBurst(double ratePerSecond) => Math.Max(1, (int)Math.Ceiling(ratePerSecond));

    public async Task<TimeSpan?> TryTakeAsync(ServiceRecord service, CancellationToken ct)
    {
        if (service.RatePerSecond is not { } rate || rate <= 0)
        {
            return null;
        }

        var burst = (double)(service.RateBurst ?? DefaultBurst(rate));
        var rows = await RawSql.QueryAsync(db, Take, new Dictionary<string, object?>
        {
            ["@service"] = service.Id, ["@now"] = clock.GetUtcNow().ToUnixTimeMilliseconds(), ["@rate"] = rate, ["@burst"] = burst,
        }, r => (Tokens: Convert.ToDouble(r.GetValue(0)), Granted: RawSql.Long(r, 1) == 1), ct);
        var (tokens, granted) = rows.Single();
        return granted ? null : RetryAfter(tokens, rate);
    }

    /// <summary>Whole seconds until the bucket holds one token again (at least 1: Retry-After counts in seconds).</summary>
    public static TimeSpan RetryAfter(double tokens, double ratePerSecond) =>
        TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((1 - Math.Max(0, tokens)) / ratePerSecond)));
}
