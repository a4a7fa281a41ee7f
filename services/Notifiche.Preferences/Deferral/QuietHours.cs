using System.Globalization;
using NodaTime;
using NodaTime.TimeZones;

namespace Notifiche.Preferences.Deferral;

/// <summary>
/// A citizen's quiet hours: from <see cref="From"/> to <see cref="To"/> on the wall clock of <see cref="Zone"/>, across
/// midnight when <see cref="From"/> is later than <see cref="To"/> (21:00–08:00). Equal times mean no quiet hours.
/// </summary>
public sealed record QuietHoursWindow(TimeOnly From, TimeOnly To, DateTimeZone Zone);

/// <summary>When a channel that respects quiet hours (SMS, push, Telegram) may notify a citizen. Pure: the caller gives the time.</summary>
public static class QuietHours
{
    /// <summary>
    /// How a wall-clock end of quiet hours becomes an instant on a day the clocks change: a time skipped in spring (02:30
    /// on 2027-03-28 in Europe/Rome) ends them when the clock jumps past it (03:00 CEST); a time repeated in autumn (02:30
    /// on 2026-10-25) at its first occurrence.
    /// </summary>
    private static readonly ZoneLocalMappingResolver EndResolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    /// <summary>
    /// Null when <paramref name="now"/> is outside the quiet hours (send now); otherwise the first instant the wall clock
    /// of the window's zone reads its end (the next allowed minute), in UTC.
    /// </summary>
    public static DateTimeOffset? NextAllowed(DateTimeOffset now, QuietHoursWindow window)
    {
        var (from, to) = (LocalTime.FromTimeOnly(window.From), LocalTime.FromTimeOnly(window.To));
        if (from == to)
        {
            return null;
        }

        var local = Instant.FromDateTimeOffset(now).InZone(window.Zone).LocalDateTime;
        var time = local.TimeOfDay;
        var inside = from < to ? time >= from && time < to : time >= from || time < to;
        if (!inside)
        {
            return null;
        }

        // Before the end today (early morning, or a window within one day), else tomorrow's (late evening across midnight).
        var endDate = time < to ? local.Date : local.Date.PlusDays(1);
        return (endDate + to).InZone(window.Zone, EndResolver).ToInstant().ToDateTimeOffset();
    }

    /// <summary><see cref="NextAllowed(DateTimeOffset, QuietHoursWindow)"/> at the clock's current time.</summary>
    public static DateTimeOffset? NextAllowed(TimeProvider clock, QuietHoursWindow window) => NextAllowed(clock.GetUtcNow(), window);

    /// <summary>A time of day as the API writes it: <c>HH:mm</c>, 24-hour (minutes: quiet hours end on a whole minute).</summary>
    public static bool TryParseTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    public static string Format(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>An IANA time zone (tzdb, e.g. <c>Europe/Rome</c>), or null when there is no such zone.</summary>
    public static DateTimeZone? Zone(string? id) => id is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(id);
}
