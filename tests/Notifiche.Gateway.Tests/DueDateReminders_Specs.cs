using Notifiche.Gateway.Notices;

namespace Notifiche.Gateway.Tests;

/// <summary>Due-date reminders (issue 17, point 4): ISO-8601 durations before the due date, counted back from 09:00 Europe/Rome.</summary>
public class Validating_due_date_reminders
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 14, 0, 0, TimeSpan.Zero);

    private static SubmitNoticeRequest WithReminders(DateOnly? due, params string?[] reminders) => new()
    {
        FiscalCode = "RSSMRA85T10A562S",
        Content = new NoticeContentRequest { Subject = "Promemoria bollo auto", Markdown = new string('x', 80), DueDate = due },
        Reminders = reminders,
    };

    private static readonly DateOnly Due = new(2026, 12, 20);

    [Test]
    public void Should_schedule_each_reminder_back_from_nine_in_the_morning_in_rome_in_delivery_order()
    {
        var (notice, errors) = NoticeValidator.Validate(WithReminders(Due, "P1D", "P7D", "PT2H", "P0D"), Now);

        Assert.That(errors, Is.Empty);
        Assert.That(notice!.Reminders!.Select(r => (r.Before, r.At)), Is.EqualTo(new[]
        {
            ("P7D", new DateTimeOffset(2026, 12, 13, 8, 0, 0, TimeSpan.Zero)),
            ("P1D", new DateTimeOffset(2026, 12, 19, 8, 0, 0, TimeSpan.Zero)),
            ("PT2H", new DateTimeOffset(2026, 12, 20, 6, 0, 0, TimeSpan.Zero)),
            ("P0D", new DateTimeOffset(2026, 12, 20, 8, 0, 0, TimeSpan.Zero)),
        }));
    }

    [Test]
    public void Should_count_days_on_the_wall_clock_across_the_dst_change()
    {
        // Summer time begins on 2027-03-28: the day before a due date of 29 March is still 09:00 in Rome, now UTC+2.
        var notice = NoticeValidator.Validate(WithReminders(new DateOnly(2027, 3, 29), "P1D", "P1W"), Now).Notice!;
        Assert.That(notice.Reminders!.Select(r => r.At), Is.EqualTo(new[]
        {
            new DateTimeOffset(2027, 3, 22, 8, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2027, 3, 28, 7, 0, 0, TimeSpan.Zero),
        }));
    }

    [TestCase("7D", "reminders[0]", "ISO-8601", TestName = "a duration without P")]
    [TestCase("P7", "reminders[0]", "ISO-8601", TestName = "a duration without a unit")]
    [TestCase("P1.5D", "reminders[0]", "ISO-8601", TestName = "a fraction of a day")]
    [TestCase("", "reminders[0]", "ISO-8601", TestName = "an empty duration")]
    [TestCase(null, "reminders[0]", "ISO-8601", TestName = "a null duration")]
    [TestCase("P-1D", "reminders[0]", "never after it", TestName = "a negative duration (after the due date)")]
    [TestCase("PT-10H", "reminders[0]", "never after it", TestName = "a negative time (after the due date)")]
    [TestCase("P30D", "reminders[0]", "in the past", TestName = "a reminder in the past")]
    public void Should_refuse_a_bad_reminder_naming_it(string? reminder, string field, string says)
    {
        var (notice, errors) = NoticeValidator.Validate(WithReminders(Due, reminder), Now);
        Assert.That(notice, Is.Null);
        Assert.That(errors.Keys, Is.EqualTo(new[] { field }));
        Assert.That(errors[field].Single(), Does.Contain(says));
    }

    [Test]
    public void Should_refuse_reminders_without_a_due_date()
    {
        var errors = NoticeValidator.Validate(WithReminders(null, "P1D"), Now).Errors;
        Assert.That(errors["reminders"].Single(), Does.Contain("content.due_date"));
    }

    [Test]
    public void Should_refuse_more_than_five()
    {
        var errors = NoticeValidator.Validate(WithReminders(Due, "P1D", "P2D", "P3D", "P4D", "P5D", "P6D"), Now).Errors;
        Assert.That(errors["reminders"].Single(), Does.Contain("at most 5"));
        Assert.That(NoticeValidator.Validate(WithReminders(Due, "P1D", "P2D", "P3D", "P4D", "P5D"), Now).Errors, Is.Empty);
    }

    [Test]
    public void Should_refuse_two_reminders_at_the_same_time_naming_the_second()
    {
        var errors = NoticeValidator.Validate(WithReminders(Due, "P7D", "P1D", "P1W"), Now).Errors;
        Assert.That(errors.Keys, Is.EqualTo(new[] { "reminders[2]" }));
        Assert.That(errors["reminders[2]"].Single(), Does.Contain("reminders[0]"));
    }

    [Test]
    public void Should_refuse_a_reminder_before_the_notices_own_send_at()
    {
        var request = WithReminders(Due, "P7D", "P1D") with { SendAt = new DateTimeOffset(2026, 12, 15, 8, 0, 0, TimeSpan.Zero) };
        var errors = NoticeValidator.Validate(request, Now).Errors;
        Assert.That(errors.Keys, Is.EqualTo(new[] { "reminders[0]" }));
        Assert.That(errors["reminders[0]"].Single(), Does.Contain("send_at"));
    }

    [Test]
    public void Should_refuse_a_reminder_more_than_a_year_ahead()
    {
        var errors = NoticeValidator.Validate(WithReminders(new DateOnly(2028, 1, 10), "P1D"), Now).Errors;
        Assert.That(errors["reminders[0]"].Single(), Does.Contain("366 days"));
    }

    [Test]
    public void Should_leave_a_notice_without_reminders_or_sensitivity_hashed_as_before()
    {
        var plain = NoticeValidator.Validate(WithReminders(Due), Now).Notice!;
        var json = System.Text.Json.JsonSerializer.Serialize(plain);
        Assert.That(json, Does.Not.Contain("Reminders").And.Not.Contain("Sensitive"));
        Assert.That(plain.Reminders, Is.Null);
    }
}
