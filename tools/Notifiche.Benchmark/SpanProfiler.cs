using System.Collections.Concurrent;
using System.Diagnostics;

namespace Notifiche.Benchmark;

/// <summary>
/// Where the time goes: listens to the activities the services already emit (ASP.NET Core, MassTransit, Npgsql, the
/// outbox relay's "Notifiche" source) and aggregates their durations by name. A database command is attributed to the
/// in-process root span it ran under (the HTTP request, the consumer, the relay), so round trips per notice and stage
/// are visible. Off the hot path: one dictionary update per finished span.
/// </summary>
public sealed class SpanProfiler : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentDictionary<SpanId, string> _keys = new();
    private readonly ConcurrentDictionary<string, Stat> _stats = new();
    private volatile bool _recording;

    public SpanProfiler()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Microsoft.AspNetCore" or "MassTransit" or "Npgsql" or "Notifiche",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Start()
    {
        _stats.Clear();
        _recording = true;
    }

    public void Stop() => _recording = false;

    private void OnStopped(Activity activity)
    {
        if (!_recording)
        {
            return;
        }

        var root = activity;
        while (root.Parent is { } parent)
        {
            root = parent;
        }

        // The readable key is built once per span identity (the names as the activities carry them), not per span; spans
        // whose keys read the same (two SQL texts alike in their first 70 characters) share one stat.
        var sql = activity.Source.Name == "Npgsql"
            ? activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string ?? activity.DisplayName
            : null;
        var id = new SpanId(activity.Source.Name, sql ?? activity.DisplayName, activity.GetTagItem("http.route") as string,
            ReferenceEquals(root, activity) ? null : root.Source.Name, root.DisplayName, root.GetTagItem("http.route") as string);
        var key = _keys.GetOrAdd(id, _ => sql is not null ? $"db   {Shorten(sql)}  (under: {Name(root)})"
            : ReferenceEquals(root, activity) ? $"span {Name(activity)}"
            : $"span {Name(activity)}  (under: {Name(root)})");
        var stat = _stats.GetOrAdd(key, _ => new Stat());
        stat.Add(activity.Duration.TotalMilliseconds);
    }

    private readonly record struct SpanId(string Source, string Name, string? Route, string? RootSource, string RootName, string? RootRoute);

    private static string Name(Activity a) => a.Source.Name == "Microsoft.AspNetCore"
        ? $"HTTP {a.GetTagItem("http.request.method")} {a.GetTagItem("http.route") ?? a.DisplayName}"
        : $"{a.Source.Name}: {a.DisplayName}";

    private static string Shorten(string sql)
    {
        var s = string.Join(' ', sql.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return s.Length <= 70 ? s : s[..70] + "…";
    }

    public IReadOnlyList<(string Name, long Count, double TotalMs, double MeanMs, double P95Ms)> Snapshot() =>
        [.. _stats.Select(kv => (kv.Key, kv.Value.Count, kv.Value.Total, kv.Value.Total / Math.Max(1, kv.Value.Count), kv.Value.Percentile(0.95)))
            .OrderByDescending(s => s.Item3)];

    public void Dispose() => _listener.Dispose();

    private sealed class Stat
    {
        private const int Reservoir = 4096;
        private readonly double[] _samples = new double[Reservoir];
        private long _count;
        private double _total;

        public long Count => Interlocked.Read(ref _count);
        public double Total
        {
            get
            {
                lock (this)
                {
                    return _total;
                }
            }
        }

        public void Add(double ms)
        {
            lock (this)
            {
                var n = _count++;
                _total += ms;
                if (n < Reservoir)
                {
                    _samples[n] = ms;
                }
                else if (Random.Shared.NextInt64(n + 1) is var j && j < Reservoir)
                {
                    _samples[j] = ms;
                }
            }
        }

        public double Percentile(double p)
        {
            lock (this)
            {
                var n = (int)Math.Min(_count, Reservoir);
                if (n == 0)
                {
                    return 0;
                }

                var copy = _samples[..n];
                Array.Sort(copy);
                return copy[Math.Min(n - 1, (int)Math.Ceiling(p * n) - 1)];
            }
        }
    }
}
