using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;

namespace Notifiche.ServiceDefaults;

/// <summary>The provider client's HTTP resilience (Polly via Microsoft.Extensions.Http.Resilience).</summary>
public sealed class HttpResilienceSettings
{
    /// <summary>
    /// Retries of one call, only where the provider cannot have processed it (<see cref="ProviderHttp.NotProcessed"/>,
    /// <see cref="ProviderHttp.NeverSent"/>; 429 honouring <c>Retry-After</c>); 0 for none.
    /// </summary>
    [Range(0, 10)]
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First back-off delay; exponential with jitter after that.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between two attempts, also when the provider's <c>Retry-After</c> asks for more.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Share of failed calls in <see cref="CircuitSamplingDuration"/> that opens the circuit (calls then fail fast).</summary>
    [Range(0.01, 1.0)]
    public double CircuitFailureRatio { get; set; } = 0.5;

    [Range(2, 10_000)]
    public int CircuitMinimumThroughput { get; set; } = 10;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>The HTTP client of a paid provider (SMS, push): one resilience pipeline, configured per provider.</summary>
public static class ProviderResilience
{
    /// <summary>
    /// Replaces the service defaults' standard handler with one tuned for a paid provider: total timeout, retry with
    /// exponential back-off and jitter honouring <c>Retry-After</c>, a circuit breaker, and a per-attempt timeout.
    /// A POST that may have reached the provider is never sent again here (a timeout, a dropped connection, a 500 or
    /// 502 after the body left): resending could bill and tell the citizen twice. Those end the call, and the
    /// dispatch ledger records their outcome as unknown.
    /// </summary>
    public static IHttpClientBuilder AddProviderResilience(
        this IHttpClientBuilder client, string name, Func<IServiceProvider, HttpResilienceSettings> settings)
    {
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented way to replace the defaults.
        client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        client.AddResilienceHandler(name, (pipeline, context) =>
        {
            var s = settings(context.ServiceProvider);
            pipeline.AddTimeout(s.TotalTimeout);
            if (s.MaxRetryAttempts > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = s.MaxRetryAttempts, BackoffType = DelayBackoffType.Exponential, UseJitter = true,
                    Delay = s.RetryDelay, MaxDelay = s.MaxRetryDelay, ShouldRetryAfterHeader = true,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e
                        ? e is not BrokenCircuitException && ProviderHttp.NeverSent(e)
                        : args.Outcome.Result is { } response && ProviderHttp.NotProcessed(response.StatusCode)),
                });
            }

            pipeline
                .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = s.CircuitFailureRatio, MinimumThroughput = s.CircuitMinimumThroughput,
                    SamplingDuration = s.CircuitSamplingDuration, BreakDuration = s.CircuitBreakDuration,
                })
                .AddTimeout(s.AttemptTimeout);
        });
        return client;
    }
}

/// <summary>What an HTTP provider's failure proves about a request: the line between "retry" and "outcome unknown".</summary>
public static class ProviderHttp
{
    /// <summary>
    /// The request never left: no connection could be made (refused, unresolvable, TLS failed), or the circuit is open.
    /// Anything else — a timeout, a connection dropped after the request was written — may have reached the provider.
    /// </summary>
    public static bool NeverSent(Exception e) => e switch
    {
        BrokenCircuitException => true,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError } => true,
        _ => e.InnerException is { } inner && NeverSent(inner),
    };

    /// <summary>
    /// Answers by which the provider says it did not process the request: 429 (too many requests), 503 (unavailable),
    /// 408 (the request did not arrive whole). A 500, 502 or 504 may come after the provider took it.
    /// </summary>
    public static bool NotProcessed(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout;

    /// <summary>A 5xx that is not <see cref="NotProcessed"/>: the provider (or a gateway in front of it) may have it.</summary>
    public static bool MayHaveProcessed(HttpStatusCode status) => (int)status >= 500 && !NotProcessed(status);
}
