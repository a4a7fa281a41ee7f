using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Notifiche.ServiceDefaults;

/// <summary>Bound from <c>Api</c>: the limits every public API applies before its own code runs (issue 16, point 8).</summary>
public sealed class ApiProtectionOptions
{
    public const string Section = "Api";

    /// <summary>
    /// Largest request body, in bytes: 128 KiB by default, room for the largest valid notice (10,000 characters of
    /// Markdown, every one of them JSON-escaped) and far more than a profile needs. Larger is 413 before it is parsed.
    /// </summary>
    [Range(1024, 16 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 128 * 1024;

    [Required]
    public FailedAuthenticationOptions FailedAuthentication { get; set; } = new();
}

/// <summary>
/// Failed authentications (401) one client address may have: <see cref="Burst"/> at once, then
/// <see cref="PerMinute"/>; past that every request from that address is 429 with Retry-After until the allowance
/// refills. Requests that authenticate take nothing from it.
/// </summary>
public sealed class FailedAuthenticationOptions
{
    [Range(1, 100_000)]
    public int Burst { get; set; } = 20;

    [Range(1, 100_000)]
    public int PerMinute { get; set; } = 10;
}

/// <summary>
/// The body size limit and the throttling of failed authentications, as middleware in front of authentication. The
/// client address is the connection's, as <c>UseForwardedHeaders</c> left it (the gateway believes forwarded headers
/// only from <c>Gateway:TrustedProxies</c>).
/// </summary>
public sealed class ApiProtection : IDisposable
{
    private readonly ApiProtectionOptions _options;
    private readonly PartitionedRateLimiter<string> _failures;

    public ApiProtection(IOptions<ApiProtectionOptions> options)
    {
        _options = options.Value;
        var failed = _options.FailedAuthentication;
        _failures = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = failed.Burst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = RefillEvery(failed),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    private static TimeSpan RefillEvery(FailedAuthenticationOptions failed) => TimeSpan.FromMinutes(1) / failed.PerMinute;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        // An endpoint that takes files (a campaign upload) declares its own limit (BodySizeLimit); every other has the API's.
        var own = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize;
        var limit = own ?? _options.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await Problem(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"The request body may be at most {limit} bytes{(own is null ? " (Api:MaxRequestBodyBytes)" : string.Empty)}; this one declares {context.Request.ContentLength}.");
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit; // a body without Content-Length is cut there
        }

        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        // The allowance's count, not a zero-permit acquire: a partitioned token bucket answers a zero-permit request
        // "acquired" once its replenishment heartbeat has run (every 100 ms), even with no token left, so about every
        // other burst of failures went unthrottled (seen as a flaky spec, reproduced in isolation).
        if (_failures.GetStatistics(address) is { CurrentAvailablePermits: <= 0 })
        {
            var retryAfter = RefillEvery(_options.FailedAuthentication);
            context.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await Problem(context, StatusCodes.Status429TooManyRequests, "Too many failed authentications",
                $"Too many requests from this address failed to authenticate (at most {_options.FailedAuthentication.Burst} at once, "
                + $"then {_options.FailedAuthentication.PerMinute} a minute). Check the key, then retry after the Retry-After seconds.");
            return;
        }

        await next(context);

        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            _failures.AttemptAcquire(address).Dispose();
        }
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);

    public void Dispose() => _failures.Dispose();
}

/// <summary>Endpoint metadata: this endpoint's body may be up to <see cref="MaxRequestBodySize"/> bytes, instead of <c>Api:MaxRequestBodyBytes</c>.</summary>
public sealed record BodySizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
