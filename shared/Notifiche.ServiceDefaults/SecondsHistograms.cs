using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Notifiche.ServiceDefaults;

/// <summary>
/// Buckets for latency histograms measured in seconds. OpenTelemetry's default boundaries (0, 5, 10, … 10000) are meant
/// for milliseconds: a value in seconds falls in the first bucket and every quantile reads about half of it.
/// </summary>
public static class SecondsHistograms
{
    /// <summary>From a fast database call (5 ms) to a minute; above it, only the count of slower ones.</summary>
    public static readonly IReadOnlyList<double> DefaultBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>
    /// The view for one instrument: a histogram in seconds that advises no boundaries of its own (Npgsql's, for example)
    /// gets <see cref="DefaultBoundaries"/>; one that does (ASP.NET Core, HttpClient, the delivery latency) keeps its own.
    /// </summary>
    public static MetricStreamConfiguration? View(Instrument instrument) =>
        instrument.Unit == "s" && instrument is Histogram<double> or Histogram<float> or Histogram<long> or Histogram<int> && !AdvisesBoundaries(instrument)
            ? new ExplicitBucketHistogramConfiguration { Boundaries = [.. DefaultBoundaries] }
            : null;

    private static bool AdvisesBoundaries(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries is not null,
        Histogram<float> h => h.Advice?.HistogramBucketBoundaries is not null,
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries is not null,
        Histogram<int> h => h.Advice?.HistogramBucketBoundaries is not null,
        _ => false,
    };
}
