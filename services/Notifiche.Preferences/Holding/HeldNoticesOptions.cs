using System.ComponentModel.DataAnnotations;

namespace Notifiche.Preferences.Holding;

/// <summary>Bound from <c>Preferences:HeldNotices</c>: how the <see cref="HeldNoticeRelay"/> relays held notices. Checked when the service starts.</summary>
public sealed class HeldNoticesOptions
{
    public const string Section = "Preferences:HeldNotices";

    /// <summary>How often the relay looks for held notices that became due (a profile created, a time to live ended).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>How long a batch may wait for the broker's confirms before it is left for the next sweep.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
