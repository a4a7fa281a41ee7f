using System.ComponentModel.DataAnnotations;

namespace Notifiche.Persistence;

/// <summary>
/// How long a starting service waits for its database (issue 19): a service started before PostgreSQL answers retries
/// its schema step with a doubling, logged back-off instead of exiting at once and crash-looping. Bounded: after
/// <see cref="Attempts"/> the host fails to start, as it did before (the orchestrator's restart policy takes over).
/// </summary>
public sealed class DatabaseStartupOptions
{
    public const string Section = "Database:Startup";

    /// <summary>Tries in all (1 = no retry).</summary>
    [Range(1, 1000)]
    public int Attempts { get; set; } = 12;

    /// <summary>Wait after the first failed try; each later wait doubles, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The wait after failed try <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan DelayAfter(int attempt) =>
        TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks * (1L << Math.Min(attempt - 1, 30))));
}
