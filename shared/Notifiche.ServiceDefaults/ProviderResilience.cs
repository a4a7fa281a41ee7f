using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Notifiche.ServiceDefaults;

/// <summary>The provider client's HTTP resilience (Polly via Microsoft.Extensions.Http.Resilience).</summary>
public sealed class HttpResilienceSettings
{
    /// <summary>Retries of one call on 429 (honouring <c>Retry-After</c>), 5xx, 408, timeouts and connection failures; 0 for none.</summary>
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
