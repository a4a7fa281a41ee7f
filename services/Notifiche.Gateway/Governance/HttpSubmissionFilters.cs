using System.Data.Common;
using Notifiche.Gateway.Observability;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Governance;

/// <summary>Checks that only the HTTP path has: the caller's source address and the service's request rate.</summary>
public static class HttpSubmissionFilters
{
    /// <summary>403 unless the request comes from one of the service's allowed networks (every service-key endpoint).</summary>
    public static async ValueTask<object?> SourceAddressAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var service = http.CallingService();
        if (!SourceNetworks.Allows(service.AllowedSourceCidrs, http.Connection.RemoteIpAddress))
        {
            http.RequestServices.GetRequiredService<GatewayMetrics>().Refused(service.Id, RefusalCodes.SourceAddress);
            return new SubmissionRefusal(RefusalCodes.SourceAddress, StatusCodes.Status403Forbidden, "Source address not allowed",
                "This service's requests are accepted only from the networks the platform operator registered for it. "
                    + "Send from one of them, or ask the operator to add your address range.").ToResult(http);
        }

        return await next(context);
    }

    /// <summary>429 with Retry-After when the service's token bucket is empty (submissions only).</summary>
    public static async ValueTask<object?> RateLimitAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var service = http.CallingService();
        TimeSpan? retryAfter;
        try
        {
            retryAfter = await http.RequestServices.GetRequiredService<RateLimiter>().TryTakeAsync(service, http.RequestAborted);
        }
        catch (DbException)
        {
            // The limiter's database is the notice store's: the accept itself will answer 503 if it is really down.
            retryAfter = null;
        }

        if (retryAfter is { } wait)
        {
            http.RequestServices.GetRequiredService<GatewayMetrics>().Refused(service.Id, RefusalCodes.RateLimited);
            return new SubmissionRefusal(RefusalCodes.RateLimited, StatusCodes.Status429TooManyRequests, "Rate limit exceeded",
                $"This service may send {service.RatePerSecond:0.###} notices per second (bursts of {service.RateBurst}); "
                    + "retry after the number of seconds in the Retry-After header.", wait).ToResult(http);
        }

        return await next(context);
    }
}
