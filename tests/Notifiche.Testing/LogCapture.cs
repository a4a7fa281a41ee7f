using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Notifiche.Testing;

/// <summary>Every log line (message, exception, scopes) of every host of the test process, at every level, for the privacy specs.</summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    public static readonly LogCapture Instance = new();

    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider? _scopes;

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => capture._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            capture._scopes?.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? string.Empty), scopes);
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            var line = $"{logLevel} {category}: {formatter(state, exception)} {structured} {exception} {string.Join(" | ", scopes)}";
            capture._lines.Enqueue(line);
            if (logLevel >= LogLevel.Warning)
            {
                Console.Out.WriteLine(line);
            }
        }
    }
}
