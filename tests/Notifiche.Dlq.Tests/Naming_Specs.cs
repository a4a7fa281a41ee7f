using Notifiche.Messaging;

namespace Notifiche.Dlq.Tests;

public class Telling_dead_letter_queues_and_reasons_apart
{
    [TestCase("send-email_error", "send-email")]
    [TestCase("notice-submitted_skipped", "notice-submitted")]
    [TestCase("send-email", null)]
    [TestCase("_error", null)]
    public void Should_know_the_source_of_a_masstransit_dead_letter_queue(string queue, string? source) =>
        Assert.That(DeadLetterQueues.SourceOf(queue), Is.EqualTo(source));

    [Test]
    public void Should_treat_the_brokers_dead_letter_queue_as_one() =>
        Assert.That(DeadLetterQueues.IsDeadLetterQueue(DeadLetters.Queue), Is.True);

    [TestCase("SMTP 550 for mario.rossi@example.it", "SMTP 550 for <email>")]
    [TestCase("bad cf RSSMRA85T10A562S here", "bad cf <codice-fiscale> here")]
    [TestCase("bad omocode cf RSSMRA85T1LA562S", "bad omocode cf <codice-fiscale>")]
    [TestCase("sms to +39 347 123 4567 failed", "sms to <phone> failed")]
    [TestCase("notice 0b1c0000-1234-5678-9012-123456789012 SMTP 421 4.7.0", "notice 0b1c0000-1234-5678-9012-123456789012 SMTP 421 4.7.0")]
    public void Should_mask_personal_data_in_reasons(string reason, string masked) =>
        Assert.That(Redaction.Redact(reason), Is.EqualTo(masked));

    [Test]
    public void Should_cut_long_reasons_to_one_line()
    {
        var cut = Redaction.Truncate("line one\n" + new string('x', 500));

        Assert.That(cut, Has.Length.EqualTo(Redaction.ReasonLength));
        Assert.That(cut, Does.Not.Contain("\n").And.EndWith("…"));
    }
}
