using Notifiche.Gateway.Notices;

namespace Notifiche.Gateway.Tests;

public class Validating_a_submitted_notice
{
    private static SubmitNoticeRequest Valid() => new()
    {
        FiscalCode = "RSSMRA85T10A562S",
        Content = new NoticeContentRequest { Subject = "Promemoria bollo auto", Markdown = new string('x', 80) },
    };

    [Test]
    public void Should_accept_a_minimal_notice_with_default_ttl()
    {
        var (notice, errors) = NoticeValidator.Validate(Valid());
        Assert.That(errors, Is.Empty);
        Assert.That(notice!.TimeToLiveSeconds, Is.EqualTo(604_800));
    }

    [TestCase(9, false)]
    [TestCase(10, true)]
    [TestCase(120, true)]
    [TestCase(121, false)]
    public void Should_bound_the_subject(int length, bool valid)
    {
        var request = Valid() with { Content = Valid().Content! with { Subject = new string('s', length) } };
        Assert.That(NoticeValidator.Validate(request).Errors.ContainsKey("content.subject"), Is.EqualTo(!valid));
    }

    [TestCase("\u202E", Description = "right-to-left override")]
    [TestCase("\u202A", Description = "left-to-right embedding")]
    [TestCase("\u202D", Description = "left-to-right override")]
    [TestCase("\u2066", Description = "left-to-right isolate")]
    [TestCase("\u2069", Description = "pop directional isolate")]
    [TestCase("\u200E", Description = "left-to-right mark")]
    [TestCase("\u200F", Description = "right-to-left mark")]
    [TestCase("\u061C", Description = "Arabic letter mark")]
    [TestCase("\u0000", Description = "NUL")]
    [TestCase("\n", Description = "line feed")]
    [TestCase("\t", Description = "tab")]
    [TestCase("\u001B", Description = "escape")]
    [TestCase("\u007F", Description = "DEL")]
    [TestCase("\u0085", Description = "next line (C1)")]
    [TestCase("\u009B", Description = "control sequence introducer (C1)")]
    public void Should_refuse_control_and_bidirectional_characters_in_the_subject(string hidden)
    {
        var request = Valid() with { Content = Valid().Content! with { Subject = $"Avviso {hidden}importante" } };
        Assert.That(NoticeValidator.Validate(request).Errors["content.subject"], Has.Some.Contains("bidirectional"));
    }

    [TestCase("Scadenza bollo auto — 31/12")]
    [TestCase("Ärztliche Mitteilung für Sie")]
    [TestCase("Avviso: «documento pronto» ✓")]
    public void Should_accept_a_subject_in_any_script_with_punctuation(string subject)
    {
        var request = Valid() with { Content = Valid().Content! with { Subject = subject } };
        Assert.That(NoticeValidator.Validate(request).Errors, Is.Empty);
    }


    [TestCase(80, true)]
    [TestCase(10_000, true)]
    [TestCase(10_001, false)]
    public void Should_bound_the_markdown(int length, bool valid)
    {
        var request = Valid() with { Content = Valid().Content! with { Markdown = new string('m', length) } };
        Assert.That(NoticeValidator.Validate(request).Errors.ContainsKey("content.markdown"), Is.EqualTo(!valid));
    }

    [TestCase(3_599, false)]
    [TestCase(3_600, true)]
    [TestCase(604_800, true)]
    [TestCase(604_801, false)]
    public void Should_bound_the_time_to_live(int ttl, bool valid)
    {
        Assert.That(NoticeValidator.Validate(Valid() with { TimeToLive = ttl }).Errors.ContainsKey("time_to_live"), Is.EqualTo(!valid));
    }

    [TestCase("mario.rossi@example.it", true)]
    [TestCase("m.rossi+avvisi@comune.milano.it", true)]
    [TestCase("mario.rossi", false)]
    [TestCase("mario rossi@example.it", false)]
    [TestCase("Mario <mario@example.it>", false)]
    [TestCase("mario@localhost", false)]
    [TestCase("mario@@example.it", false)]
    [TestCase("@example.it", false)]
    public void Should_check_the_default_email_syntax(string email, bool valid)
    {
        var request = Valid() with { DefaultAddresses = new DefaultAddressesRequest { Email = email } };
        Assert.That(NoticeValidator.Validate(request).Errors.ContainsKey("default_addresses.email"), Is.EqualTo(!valid));
    }

    private static readonly DateTimeOffset Now = new(2026, 12, 3, 14, 0, 0, TimeSpan.Zero);

    [TestCase(-61, false, TestName = "send_at more than the clock skew in the past")]
    [TestCase(-60, true, TestName = "send_at within the clock skew in the past")]
    [TestCase(0, true, TestName = "send_at now")]
    [TestCase(30 * 86_400, true, TestName = "send_at 30 days ahead")]
    [TestCase(30 * 86_400 + 1, false, TestName = "send_at beyond 30 days")]
    public void Should_take_send_at_up_to_30_days_ahead(int secondsFromNow, bool valid)
    {
        var (notice, errors) = NoticeValidator.Validate(Valid() with { SendAt = Now.AddSeconds(secondsFromNow) }, Now);
        Assert.That(errors.ContainsKey("send_at"), Is.EqualTo(!valid), string.Join("; ", errors.SelectMany(e => e.Value)));
        Assert.That(notice?.SendAt, Is.EqualTo(valid ? Now.AddSeconds(secondsFromNow) : null));
    }

    [Test]
    public void Should_keep_send_at_in_utc_and_leave_an_unscheduled_notice_hashed_as_before()
    {
        var rome = new DateTimeOffset(2026, 12, 24, 9, 0, 0, TimeSpan.FromHours(1));
        var scheduled = NoticeValidator.Validate(Valid() with { SendAt = rome }, Now).Notice!;
        Assert.That(scheduled.SendAt!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
        Assert.That(scheduled.SendAt, Is.EqualTo(rome));

        // An Idempotency-Key stored before send_at existed still matches a retry of the same unscheduled notice.
        var unscheduled = NoticeValidator.Validate(Valid(), Now).Notice!;
        Assert.That(System.Text.Json.JsonSerializer.Serialize(unscheduled), Does.Not.Contain("SendAt"));
        Assert.That(IdempotencyKeys.RequestHash(scheduled), Is.Not.EqualTo(IdempotencyKeys.RequestHash(unscheduled)));
    }

    [Test]
    public void Should_name_every_missing_field()
    {
        var errors = NoticeValidator.Validate(new SubmitNoticeRequest()).Errors;
        Assert.That(errors.Keys, Is.EquivalentTo(new[] { "fiscal_code", "content" }));
    }
}

public class Hashing_notice_content
{
    [Test]
    public void Should_be_a_sha256_of_the_canonical_json_a_sender_can_recompute()
    {
        var canonical = """{"subject":"Oggetto","markdown":"Testo \u00E8","due_date":"2026-12-31"}""";
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)));
        Assert.That(ContentHash.Compute("Oggetto", "Testo è", new DateOnly(2026, 12, 31)), Is.EqualTo(expected));
    }

    [Test]
    public void Should_change_when_any_part_of_the_content_changes()
    {
        var original = ContentHash.Compute("Oggetto", "Testo", null);
        Assert.That(ContentHash.Compute("Oggetto", "Testo.", null), Is.Not.EqualTo(original));
        Assert.That(ContentHash.Compute("Oggetto", "Testo", new DateOnly(2026, 1, 1)), Is.Not.EqualTo(original));
    }
}

/// <summary>Escalation steps (issue 17, point 5): what a retry hashes, and the rules the 400s name.</summary>
public class Validating_escalation_steps
{
    private static SubmitNoticeRequest With(params (string After, string[] Channels)[] steps) => new()
    {
        FiscalCode = "RSSMRA85T10A562S",
        Content = new NoticeContentRequest { Subject = "Avviso TARI 2026", Markdown = new string('x', 80) },
        Escalation = [.. steps.Select(s => new EscalationStepRequest { After = s.After, Channels = s.Channels })],
    };

    [Test]
    public void Should_hash_a_retry_alike_whenever_it_comes_and_apart_from_the_notice_without_escalation()
    {
        var request = With(("PT48H", ["email"]), ("P5D", ["sms"]));
        var first = NoticeValidator.Validate(request, DateTimeOffset.UtcNow, serviceChannels: ["email", "sms"]).Notice!;
        var retry = NoticeValidator.Validate(request, DateTimeOffset.UtcNow.AddSeconds(7), serviceChannels: ["email", "sms"]).Notice!;
        var plain = NoticeValidator.Validate(request with { Escalation = null }, DateTimeOffset.UtcNow).Notice!;

        Assert.That(IdempotencyKeys.RequestHash(retry), Is.EqualTo(IdempotencyKeys.RequestHash(first)), "a retry seconds later is the same request");
        Assert.That(IdempotencyKeys.RequestHash(plain), Is.Not.EqualTo(IdempotencyKeys.RequestHash(first)));
        Assert.That(Escalation.Withheld(first.Escalation), Is.EqualTo(new[] { "email", "sms" }));
    }

    [Test]
    public void Should_keep_the_free_channels_in_the_first_delivery_when_a_step_names_them()
    {
        var valid = NoticeValidator.Validate(With(("PT1H", ["push", "email"])), serviceChannels: ["email", "push"]).Notice!;
        Assert.That(Escalation.Withheld(valid.Escalation), Is.EqualTo(new[] { "email" }));
    }

    [TestCase("PT48H", "PT48H", "escalation[1].after", TestName = "two steps at the same time")]
    [TestCase("-PT1H", "PT2H", "escalation[0].after", TestName = "a negative duration")]
    [TestCase("P7D", "P8D", "escalation[0].after", TestName = "a step when the default time to live ends")]
    public void Should_name_the_step_that_breaks_a_rule(string first, string second, string field)
    {
        var errors = NoticeValidator.Validate(With((first, ["email"]), (second, ["email"])), serviceChannels: ["email"]).Errors;
        Assert.That(errors.Keys, Does.Contain(field));
    }

    [Test]
    public void Should_refuse_a_channel_named_twice()
    {
        var errors = NoticeValidator.Validate(With(("PT1H", ["email", "EMAIL"])), serviceChannels: ["email"]).Errors;
        Assert.That(errors.Keys, Is.EqualTo(new[] { "escalation[0].channels" }));
    }
}
