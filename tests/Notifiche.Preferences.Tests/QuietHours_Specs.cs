using Notifiche.Preferences.Data;
using Notifiche.Preferences.Deferral;
using Notifiche.Preferences.Profiles;

namespace Notifiche.Preferences.Tests;

/// <summary>
/// When SMS, push and Telegram may notify a citizen (issue 17, point 3): the next allowed minute after quiet hours, on the
/// wall clock of the citizen's zone, across midnight and across both Europe/Rome clock changes.
/// </summary>
public class Computing_the_next_allowed_minute
{
    private static readonly QuietHoursWindow Platform = new(new TimeOnly(21, 0), new TimeOnly(8, 0), QuietHours.Zone("Europe/Rome")!);

    private static DateTimeOffset? NextAllowed(string now, QuietHoursWindow? window = null) =>
        QuietHours.NextAllowed(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), window ?? Platform);

    [TestCase("2026-12-03T10:00:00+01:00")]
    [TestCase("2026-12-03T20:59:59+01:00")]
    [TestCase("2026-12-03T08:00:00+01:00")]
    public void Should_allow_now_outside_quiet_hours(string now) => Assert.That(NextAllowed(now), Is.Null);

    [TestCase("2026-12-03T21:00:00+01:00", "2026-12-04T08:00:00+01:00")]
    [TestCase("2026-12-03T23:59:00+01:00", "2026-12-04T08:00:00+01:00")]
    [TestCase("2026-12-04T00:00:00+01:00", "2026-12-04T08:00:00+01:00")]
    [TestCase("2026-12-04T07:59:59+01:00", "2026-12-04T08:00:00+01:00")]
    // Summer time: 08:00 CEST.
    [TestCase("2026-07-01T02:00:00+02:00", "2026-07-01T08:00:00+02:00")]
    public void Should_defer_to_the_end_of_quiet_hours_across_midnight(string now, string expected) =>
        Assert.That(NextAllowed(now), Is.EqualTo(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));

    [Test]
    public void Should_end_them_at_eight_local_time_after_the_october_change()
    {
        // 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET. From 22:00 to 08:00 is 11 hours that night.
        var deferred = NextAllowed("2026-10-24T22:00:00+02:00");
        Assert.That(deferred, Is.EqualTo(new DateTimeOffset(2026, 10, 25, 7, 0, 0, TimeSpan.Zero)), "08:00 CET");
        Assert.That(deferred - DateTimeOffset.Parse("2026-10-24T22:00:00+02:00", System.Globalization.CultureInfo.InvariantCulture),
            Is.EqualTo(TimeSpan.FromHours(11)));
        // Inside the repeated hour, both times.
        Assert.That(NextAllowed("2026-10-25T02:30:00+02:00"), Is.EqualTo(new DateTimeOffset(2026, 10, 25, 7, 0, 0, TimeSpan.Zero)));
        Assert.That(NextAllowed("2026-10-25T02:30:00+01:00"), Is.EqualTo(new DateTimeOffset(2026, 10, 25, 7, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    public void Should_end_them_at_eight_local_time_after_the_march_change()
    {
        // 2027-03-28: at 02:00 CET the clocks jump to 03:00 CEST. From 23:00 to 08:00 is 8 hours that night.
        var deferred = NextAllowed("2027-03-27T23:00:00+01:00");
        Assert.That(deferred, Is.EqualTo(new DateTimeOffset(2027, 3, 28, 6, 0, 0, TimeSpan.Zero)), "08:00 CEST");
        Assert.That(deferred - DateTimeOffset.Parse("2027-03-27T23:00:00+01:00", System.Globalization.CultureInfo.InvariantCulture),
            Is.EqualTo(TimeSpan.FromHours(8)));
    }

    [Test]
    public void Should_end_them_when_the_clock_jumps_past_an_end_that_does_not_exist_that_night()
    {
        // 02:30 does not exist on 2027-03-28 in Rome: quiet hours end when the clock jumps to 03:00 CEST (01:00 UTC).
        var window = Platform with { To = new TimeOnly(2, 30) };
        Assert.That(NextAllowed("2027-03-28T01:30:00+01:00", window), Is.EqualTo(new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    public void Should_end_them_at_the_first_of_two_times_a_repeated_end_is_read()
    {
        // 02:30 happens twice on 2026-10-25 in Rome: first in CEST (00:30 UTC).
        var window = Platform with { To = new TimeOnly(2, 30) };
        Assert.That(NextAllowed("2026-10-25T01:00:00+02:00", window), Is.EqualTo(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero)));
    }

    [Test]
    public void Should_read_the_hours_on_the_wall_clock_of_the_citizens_zone()
    {
        var lisbon = new QuietHoursWindow(new TimeOnly(21, 0), new TimeOnly(8, 0), QuietHours.Zone("Europe/Lisbon")!);
        // 21:30 in Rome is 20:30 in Lisbon: allowed there.
        Assert.That(NextAllowed("2026-12-03T21:30:00+01:00", lisbon), Is.Null);
        Assert.That(NextAllowed("2026-12-03T22:30:00+01:00", lisbon), Is.EqualTo(DateTimeOffset.Parse("2026-12-04T08:00:00+00:00")));
    }

    [Test]
    public void Should_handle_hours_within_one_day_and_none_at_all()
    {
        var afternoon = Platform with { From = new TimeOnly(13, 0), To = new TimeOnly(15, 30) };
        Assert.That(NextAllowed("2026-12-03T14:00:00+01:00", afternoon), Is.EqualTo(DateTimeOffset.Parse("2026-12-03T15:30:00+01:00")));
        Assert.That(NextAllowed("2026-12-03T16:00:00+01:00", afternoon), Is.Null);
        var none = Platform with { From = new TimeOnly(0, 0), To = new TimeOnly(0, 0) };
        Assert.That(NextAllowed("2026-12-03T23:00:00+01:00", none), Is.Null);
    }

    [Test]
    public void Should_read_the_time_from_the_clock_it_is_given()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-12-03T22:15:00+01:00"));
        Assert.That(QuietHours.NextAllowed(clock, Platform), Is.EqualTo(DateTimeOffset.Parse("2026-12-04T08:00:00+01:00")));
        clock.Advance(TimeSpan.FromHours(10));
        Assert.That(QuietHours.NextAllowed(clock, Platform), Is.Null);
    }
}

public class Choosing_quiet_hours
{
    private static readonly QuietHoursOptions PlatformDefault = new();

    [Test]
    public void Should_use_the_platform_hours_without_the_citizens_own()
    {
        var window = PlatformDefault.WindowFor(new Profile { FiscalCode = "RSSMRA85T10A562S" });
        Assert.That(window, Is.EqualTo(new QuietHoursWindow(new TimeOnly(21, 0), new TimeOnly(8, 0), QuietHours.Zone("Europe/Rome")!)));
    }

    [Test]
    public void Should_keep_the_citizens_hours_and_zone()
    {
        var (profile, errors) = ProfileValidator.Validate("RSSMRA85T10A562S",
            new ProfileRequest { QuietHours = new QuietHoursRequest("22:30", "07:00"), TimeZone = " Europe/Lisbon" });
        Assert.That(errors, Is.Empty);
        Assert.That(PlatformDefault.WindowFor(profile!),
            Is.EqualTo(new QuietHoursWindow(new TimeOnly(22, 30), new TimeOnly(7, 0), QuietHours.Zone("Europe/Lisbon")!)));
        Assert.That(ProfileResponse.From(profile!).QuietHours, Is.EqualTo(new QuietHoursRequest("22:30", "07:00")));
    }

    [Test]
    public void Should_name_the_field_of_a_bad_time_or_zone()
    {
        var (_, errors) = ProfileValidator.Validate("RSSMRA85T10A562S",
            new ProfileRequest { QuietHours = new QuietHoursRequest("9pm", null), TimeZone = "Europe/Milano" });
        Assert.That(errors.Keys, Is.EquivalentTo(new[] { "quiet_hours.from", "quiet_hours.to", "time_zone" }));
    }

    [Test]
    public void Should_refuse_platform_settings_that_are_not_hours_or_a_zone()
    {
        var bad = new QuietHoursOptions { From = "25:00", TimeZone = "Mars/Olympus" };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(bad, new(bad), results, validateAllProperties: true);
        Assert.That(results.SelectMany(r => r.MemberNames), Is.SupersetOf(new[] { "From", "TimeZone" }));
    }
}
