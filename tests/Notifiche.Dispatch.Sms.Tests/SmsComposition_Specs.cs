using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Dispatch.Sms.Composition;

namespace Notifiche.Dispatch.Sms.Tests;

public class Composing_the_sms_of_a_notice
{
    private static SendSms Command(string subject, string language = "it", string service = "Anagrafe di Roma") => new()
    {
        NoticeId = Guid.NewGuid(), ServiceId = "anagrafe-roma", ServiceName = service, PhoneNumber = "+393470000000",
        Subject = subject, Language = language, ExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
    };

    private static SmsComposer Composer(int maxSegments = 2) => new(Options.Create(new SmsOptions { MaxSegments = maxSegments }));

    [TestCase("it", "Hai un nuovo avviso da Anagrafe di Roma: La tua carta di identità scade. Leggilo nell'app.")]
    [TestCase("en", "You have a new notice from Anagrafe di Roma: La tua carta di identità scade. Read it in the app.")]
    [TestCase("de", "Sie haben eine neue Mitteilung von Anagrafe di Roma: La tua carta di identità scade. Lesen Sie sie in der App.")]
    [TestCase("fr", "Hai un nuovo avviso da Anagrafe di Roma: La tua carta di identità scade. Leggilo nell'app.")]
    public void Should_use_the_template_of_the_citizens_language(string language, string expected)
    {
        var text = Composer().Compose(Command("La tua carta di identità scade.", language));

        Assert.That(text.Body, Is.EqualTo(expected));
    }

    [Test]
    public void Should_shorten_the_subject_to_fit_the_maximum_segments()
    {
        var subject = string.Concat(Enumerable.Repeat("Bollo auto in scadenza, ", 5)).Trim();

        var text = Composer(maxSegments: 1).Compose(Command(subject));

        Assert.Multiple(() =>
        {
            Assert.That(text.Encoding.Alphabet, Is.EqualTo(SmsAlphabet.Gsm7));
            Assert.That(text.Encoding.Units, Is.InRange(150, 160));
            Assert.That(text.Encoding.Segments, Is.EqualTo(1));
            Assert.That(text.Body, Does.StartWith("Hai un nuovo avviso da Anagrafe di Roma: Bollo auto in scadenza"));
            Assert.That(text.Body, Does.EndWith("... Leggilo nell'app.").And.Not.Contains("...."));
        });
    }

    [Test]
    public void Should_keep_a_short_subject_whole()
    {
        var text = Composer(maxSegments: 1).Compose(Command("Referto pronto"));

        Assert.That(text.Body, Is.EqualTo("Hai un nuovo avviso da Anagrafe di Roma: Referto pronto. Leggilo nell'app."));
        Assert.That(text.Encoding.Segments, Is.EqualTo(1));
    }

    [Test]
    public void Should_never_cut_an_emoji_in_half_when_shortening_a_ucs2_text()
    {
        var subject = string.Concat(Enumerable.Repeat("Festa 🎉 ", 15));

        var text = Composer(maxSegments: 1).Compose(Command(subject));

        Assert.Multiple(() =>
        {
            Assert.That(text.Encoding.Alphabet, Is.EqualTo(SmsAlphabet.Ucs2));
            Assert.That(text.Encoding.Units, Is.LessThanOrEqualTo(70));
            Assert.That(text.Body.Where((c, i) => char.IsHighSurrogate(c) && (i + 1 == text.Body.Length || !char.IsLowSurrogate(text.Body[i + 1]))), Is.Empty);
            Assert.That(text.Body, Does.EndWith("... Leggilo nell'app."));
        });
    }

    [Test]
    public void Should_cut_the_text_itself_when_even_the_service_name_does_not_fit()
    {
        var text = Composer(maxSegments: 1).Compose(Command("Referto pronto", service: new string('S', 200)));

        Assert.That(text.Encoding, Is.EqualTo(new SmsEncoding(SmsAlphabet.Gsm7, 160, 1)));
    }
}
