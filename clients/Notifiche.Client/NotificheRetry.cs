using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Notifiche.Client;

/// <summary>
/// The client's one retry policy (Polly through Microsoft.Extensions.Http.Resilience): only answers by which the
/// platform says it did not process the call — 429 and 503, waiting <c>Retry-After</c> when given — and connections
/// that could not be made. A submission is safe to resend because it carries the same <c>Idempotency-Key</c> on every
/// attempt (the key is set on the request before this handler sees it); the other calls are reads or idempotent writes.
/// </summary>
public static class NotificheRetry
{
    public static HttpRetryStrategyOptions Strategy(NotificheRetryOptions options) => new()
    {
        MaxRetryAttempts = options.MaxRetryAttempts,
        Delay = options.Delay,
        MaxDelay = options.MaxDelay,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        ShouldRetryAfterHeader = true,
        ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e
            ? NeverSent(e)
            : args.Outcome.Result?.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable),
    };

    /// <summary>Adds the retry pipeline to <paramref name="pipeline"/> (nothing when retries are off).</summary>
    public static void AddTo(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, NotificheRetryOptions options)
    {
        if (options.MaxRetryAttempts > 0)
        {
            pipeline.AddRetry(Strategy(options));
        }
    }

    /// <summary>A handler with the retry pipeline in front of <paramref name="transport"/>, for a client built without dependency injection.</summary>
    public static DelegatingHandler Handler(NotificheRetryOptions options, HttpMessageHandler transport)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        AddTo(pipeline, options);
        return new ResilienceHandler(pipeline.Build()) { InnerHandler = transport };
    }

    /// <summary>The request never left: no connection could be made. A timeout or a dropped connection may have reached the platform.</summary>
    private static bool NeverSent(Exception e) => e switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError } => true,
        _ => e.InnerException is { } inner && NeverSent(inner),
    };
}
