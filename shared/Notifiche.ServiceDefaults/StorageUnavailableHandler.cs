using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Notifiche.ServiceDefaults;

/// <summary>
/// A request that failed because the database could not be reached (on any path: key lookup, store, query) answers
/// <c>503</c> problem+json with <c>Retry-After</c>, never a bare 500: nothing was done, and the caller may retry.
/// Entity Framework wraps the provider's exception (a <see cref="DbException"/>) in its own, hence the walk down the chain.
/// </summary>
public sealed partial class StorageUnavailableHandler(IProblemDetailsService problems, ILogger<StorageUnavailableHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsStorageFailure(exception) || http.Response.HasStarted)
        {
            return false;
        }

        LogUnavailable(logger, http.Request.Method, http.GetEndpoint()?.DisplayName, exception.GetType().Name);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Storage unavailable",
                Detail = "The request was NOT carried out: the database cannot be reached. Retry later with the same request.",
            },
        });
    }

    public static bool IsStorageFailure(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Database unavailable during {Method} {Endpoint}: {Error}; answered 503")]
    private static partial void LogUnavailable(ILogger logger, string method, string? endpoint, string error);
}
