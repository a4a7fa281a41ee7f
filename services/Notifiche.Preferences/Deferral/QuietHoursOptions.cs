using System.ComponentModel.DataAnnotations;
using Notifiche.Persistence;
using Notifiche.Preferences.Data;

namespace Notifiche.Preferences.Deferral;

/// <summary>
/// Bound from <c>Preferences:QuietHours</c>: the platform's quiet hours (for citizens who did not choose their own) and
/// how deferred dispatches are relayed (<see cref="DueRowRelayOptions"/>). Checked when the service starts.
/// </summary>
public sealed class QuietHoursOptions : DueRowRelayOptions, IValidatableObject
{
    public const string Section = "Preferences:QuietHours";

    /// <summary>Start of the platform's quiet hours, <c>HH:mm</c> on the wall clock of <see cref="TimeZone"/>.</summary>
    public string From { get; set; } = "21:00";

    /// <summary>End of the platform's quiet hours (the first allowed minute), <c>HH:mm</c>; equal to <see cref="From"/>: none.</summary>
    public string To { get; set; } = "08:00";

    /// <summary>IANA time zone of the platform's quiet hours, and of a citizen's own hours when the profile names no zone.</summary>
    public string TimeZone { get; set; } = "Europe/Rome";

    /// <summary>Readiness reports the relay stuck once a due row has waited this long (a sweep normally takes it within <see cref="SweepInterval"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The quiet hours that apply to a citizen: the profile's own hours and zone where set, the platform's otherwise.</summary>
    public QuietHoursWindow WindowFor(Profile profile)
    {
        var (from, to) = profile is { QuietHoursFrom: { } f, QuietHoursTo: { } t } ? (f, t) : (Time(From), Time(To));
        return new QuietHoursWindow(from, to, QuietHours.Zone(profile.TimeZone) ?? QuietHours.Zone(TimeZone)!);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!QuietHours.TryParseTime(From, out _) || !QuietHours.TryParseTime(To, out _))
        {
            yield return new ValidationResult($"{Section}:From and :To must be times of day written HH:mm (e.g. 21:00 and 08:00).", [nameof(From), nameof(To)]);
        }

        if (QuietHours.Zone(TimeZone) is null)
        {
            yield return new ValidationResult($"{Section}:TimeZone must be an IANA time zone (e.g. Europe/Rome).", [nameof(TimeZone)]);
        }
    }

    private static TimeOnly Time(string text) => QuietHours.TryParseTime(text, out var time) ? time : throw new InvalidOperationException($"{Section} is not valid");
}
