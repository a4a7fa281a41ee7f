using System.ComponentModel.DataAnnotations;

namespace Notifiche.Persistence;

/// <summary>
/// A <see cref="DueRowRelay{TContext, TRow}"/>'s pacing as bound from its configuration section (with
/// <c>ValidateDataAnnotations</c>): preferences' deferred dispatches (<c>Preferences:QuietHours</c>) and held notices
/// (<c>Preferences:HeldNotices</c>).
/// </summary>
public class DueRowRelayOptions
{
    /// <summary>How often the relay looks for rows that became due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>How long a batch may wait for the broker's confirms before it is left for the next sweep.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public DueRowRelaySettings RelaySettings() => new(BatchSize, SweepInterval, PublishTimeout);
}
