using Notifiche.Dispatch.Sms.Composition;

namespace Notifiche.Dispatch.Sms.Tests;

public class Counting_the_segments_of_an_sms
{
    private static string A(int n) => new('a', n);

    private static IEnumerable<TestCaseData> Table()
    {
        yield return new TestCaseData("Il tuo certificato è pronto", SmsAlphabet.Gsm7, 27, 1).SetName("pure GSM-7 with è");
        yield return new TestCaseData(A(160), SmsAlphabet.Gsm7, 160, 1).SetName("GSM-7 160 septets: one segment");
        yield return new TestCaseData(A(161), SmsAlphabet.Gsm7, 161, 2).SetName("GSM-7 161 septets: two segments of 153");
        yield return new TestCaseData(A(306), SmsAlphabet.Gsm7, 306, 2).SetName("GSM-7 306 septets: two full parts");
        yield return new TestCaseData(A(307), SmsAlphabet.Gsm7, 307, 3).SetName("GSM-7 307 septets: three parts");
        yield return new TestCaseData("Rata {2} [IMU] ~ 10€ | a^b \\ c", SmsAlphabet.Gsm7, 39, 1).SetName("extension characters count twice");
        yield return new TestCaseData(A(159) + "€", SmsAlphabet.Gsm7, 161, 2).SetName("GSM-7 159 + euro = 161 septets: two segments");
        yield return new TestCaseData(A(152) + "€" + A(152), SmsAlphabet.Gsm7, 306, 3).SetName("an escape sequence is never split between parts");
        yield return new TestCaseData("àèéìòù", SmsAlphabet.Gsm7, 6, 1).SetName("à è é ì ò ù are in the GSM-7 basic table");
        yield return new TestCaseData("É scaduto", SmsAlphabet.Gsm7, 9, 1).SetName("É is in the GSM-7 basic table");
        yield return new TestCaseData("È scaduto", SmsAlphabet.Ucs2, 9, 1).SetName("È is not in GSM-7: UCS-2");
        yield return new TestCaseData("Á", SmsAlphabet.Ucs2, 1, 1).SetName("Á is not in GSM-7");
        yield return new TestCaseData("í", SmsAlphabet.Ucs2, 1, 1).SetName("í is not in GSM-7");
        yield return new TestCaseData("ó", SmsAlphabet.Ucs2, 1, 1).SetName("ó is not in GSM-7");
        yield return new TestCaseData("ú", SmsAlphabet.Ucs2, 1, 1).SetName("ú is not in GSM-7");
        yield return new TestCaseData("Ciao 👋", SmsAlphabet.Ucs2, 7, 1).SetName("an emoji makes UCS-2 and counts two units");
        yield return new TestCaseData("È" + A(69), SmsAlphabet.Ucs2, 70, 1).SetName("UCS-2 70 units: one segment");
        yield return new TestCaseData("È" + A(70), SmsAlphabet.Ucs2, 71, 2).SetName("UCS-2 71 units: two segments of 67");
        yield return new TestCaseData("È" + A(133), SmsAlphabet.Ucs2, 134, 2).SetName("UCS-2 134 units: two full parts");
        yield return new TestCaseData("È" + A(65) + "👋" + A(66), SmsAlphabet.Ucs2, 134, 3).SetName("an emoji is never split between parts");
    }

    [TestCaseSource(nameof(Table))]
    public void Should_count_alphabet_units_and_segments(string text, SmsAlphabet alphabet, int units, int segments)
    {
        var encoding = SmsEncoding.Of(text);

        Assert.That(encoding, Is.EqualTo(new SmsEncoding(alphabet, units, segments)));
    }
}
