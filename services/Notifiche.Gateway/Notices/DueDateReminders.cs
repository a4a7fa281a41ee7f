using NodaTime;
using NodaTime.Text;

namespace Notifiche.Gateway.Notices;

/// <summary>A due-date reminder that passed validation: as the sender wrote it, and when it is delivered.</summary>
public sealed record ScheduledReminder(string Before, DateTimeOffset At);

/// <summary>
/// Due-date reminders (issue 17, point 4): ISO-8601 durations before a notice's <c>due_date</c>. A due date is a day, not
/// an instant: a reminder counts back from <see cref="DueTime"/> on that day in <see cref="TimeZone"/> — a civil hour, so
/// "P1D" reminds at 09:00 the day before, not at midnight (inside the citizen's quiet hours). Calendar units (P1M) and
/// DST changes are counted on the wall clock, as a person would.
/// </summary>
public static class DueDateReminders
{
    /// <summary>At most this many reminders a notice: enough for a ladder (a month, a week, a day before), few enough to stay a courtesy.</summary>
    public const int Max = 5;

    /// <summary>
    /// How far ahead a reminder may fall: its routing message (with the content) waits in the outbox until then, and a year
    /// covers yearly deadlines (car tax, TARI) well inside the content's retention.
    /// </summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(366);

    public static readonly LocalTime DueTime = new(9, 0);
    public static readonly DateTimeZone TimeZone = DateTimeZoneProviders.Tzdb["Europe/Rome"];

    /// <summary>ISO-8601 durations as in <c>P7D</c>, <c>P1W</c>, <c>P1M</c>, <c>PT36H</c> (NodaTime's ISO period pattern: no fractions of units but seconds).</summary>
    private static readonly PeriodPattern Pattern = PeriodPattern.NormalizingIso;

    /// <summary>When a reminder <paramref name="before"/> the due date <paramref name="due"/> is delivered.</summary>
    public static DateTimeOffset At(DateOnly due, Period before) =>
        (LocalDate.FromDateOnly(due) + DueTime - before).InZoneLeniently(TimeZone).ToDateTimeOffset().ToUniversalTime();

    /// <summary>The end of the due date: a reminder is never delivered after it (its time to live ends there).</summary>
    public static DateTimeOffset EndOf(DateOnly due) =>
        LocalDate.FromDateOnly(due).PlusDays(1).AtStartOfDayInZone(TimeZone).ToDateTimeOffset().ToUniversalTime();

    /// <summary>
    /// Checks the reminders of a notice and returns them in delivery order; problems go to <paramref name="add"/> under
    /// <c>reminders</c> or <c>reminders[i]</c>. A reminder must fall after now (and after <paramref name="sendAt"/>: a
    /// reminder of a notice not yet delivered makes no sense) and not after the due date.
    /// </summary>
    public static IReadOnlyList<ScheduledReminder>? Validate(
        IReadOnlyList<string?>? reminders, DateOnly? due, DateTimeOffset now, DateTimeOffset? sendAt, Action<string, string> add)
    {
        if (reminders is null || reminders.Count == 0)
        {
            return null;
        }

        if (due is null)
        {
            add("reminders", "needs content.due_date: reminders count back from it");
            return null;
        }

        if (reminders.Count > Max)
        {
            add("reminders", $"must be at most {Max}, got {reminders.Count}");
            return null;
        }

        var earliest = sendAt > now ? sendAt.Value : now;
        var valid = new List<ScheduledReminder>();
        var seen = new Dictionary<DateTimeOffset, int>();
        for (var i = 0; i < reminders.Count; i++)
        {
            var field = $"reminders[{i}]";
            var text = reminders[i]?.Trim();
            var parsed = text is null ? null : Pattern.Parse(text);
            if (parsed is null || !parsed.Success)
            {
                add(field, "must be an ISO-8601 duration before the due date, e.g. P7D or PT12H");
                continue;
            }

            var before = parsed.Value;
            var at = At(due.Value, before);
            if (HasNegativeUnit(before) || at > At(due.Value, Period.Zero))
            {
                add(field, "must not be negative: a reminder falls before the due date (P0D: on its morning), never after it");
            }
            else if (at <= earliest)
            {
                add(field, sendAt > now
                    ? $"falls at {at:yyyy-MM-ddTHH:mm:ssZ}, before the notice's send_at: a reminder must come after the notice"
                    : $"falls at {at:yyyy-MM-ddTHH:mm:ssZ}, which is in the past (reminders count back from {DueTime:HH:mm} {TimeZone.Id} on the due date)");
            }
            else if (at > now + MaxAhead)
            {
                add(field, $"falls at {at:yyyy-MM-ddTHH:mm:ssZ}, more than {MaxAhead.TotalDays:0} days ahead");
            }
            else if (seen.TryGetValue(at, out var first))
            {
                add(field, $"falls at the same time as reminders[{first}]");
            }
            else
            {
                seen[at] = i;
                valid.Add(new ScheduledReminder(text!, at));
            }
        }

        return [.. valid.OrderBy(r => r.At)];
    }

    private static bool HasNegativeUnit(Period p) =>
        p.Years < 0 || p.Months < 0 || p.Weeks < 0 || p.Days < 0 || p.Hours < 0 || p.Minutes < 0 || p.Seconds < 0 || p.Milliseconds < 0
        || p.Ticks < 0 || p.Nanoseconds < 0;
}
