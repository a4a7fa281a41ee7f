using Notifiche.Persistence;

namespace Notifiche.Preferences.Holding;

/// <summary>
/// Bound from <c>Preferences:HeldNotices</c>: how the <see cref="HeldNoticeRelay"/> relays held notices (a profile created,
/// a time to live ended). Checked when the service starts.
/// </summary>
public sealed class HeldNoticesOptions : DueRowRelayOptions
{
    public const string Section = "Preferences:HeldNotices";
}
