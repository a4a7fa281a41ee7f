using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Notifiche.Testing;

/// <summary>Every log line (message, exception, scopes) of every host of the test process, at every level, for the privacy specs.</summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    public static readonly LogCapture Instance = new();

    private readonly ConcurrentQueue<(long Number, string Text)> _lines = new();
    private long _count;
    // Every host's logger factory hands this one provider its own scope provider: the scopes of a line are in whichever of
    // them the logging flow pushed them to (the others hold none for that flow), so all are read — keeping only the last
    // one given would hide the scopes of every other host from the privacy specs.
    private readonly ConcurrentDictionary<IExternalScopeProvider, byte> _scopes = new();

    public IReadOnlyCollection<string> Lines => [.. _lines.Select(l => l.Text)];

    /// <summary>A mark in the log: <see cref="LinesSince"/> returns only what was logged after it (other specs share the capture).</summary>
    public long Mark() => Interlocked.Read(ref _count);

    public IReadOnlyList<string> LinesSince(long mark) => [.. _lines.Where(l => l.Number > mark).Select(l => l.Text)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes.TryAdd(scopeProvider, 0);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        // A factory with an external scope provider pushes scopes there itself; this is only for a logger used on its own.
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            foreach (var provider in capture._scopes.Keys)
            {
                provider.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? string.Empty), scopes);
            }

            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            var line = $"{logLevel} {category}: {formatter(state, exception)} {structured} {exception} {string.Join(" | ", scopes)}";
            capture._lines.Enqueue((Interlocked.Increment(ref capture._count), line));
            if (logLevel >= LogLevel.Warning)
            {
                Console.Out.WriteLine(line);
            }
        }
    }
}
