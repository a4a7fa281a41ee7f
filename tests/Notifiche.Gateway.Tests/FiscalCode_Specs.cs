using Notifiche.Validation;

namespace Notifiche.Gateway.Tests;

// Expected check characters were computed with an independent implementation of the DM 23/12/1976 algorithm.
public class Validating_a_codice_fiscale
{
    [TestCase("RSSMRA85T10A562S")]
    [TestCase("VRDGPP80A41H501Y")] // woman: day + 40
    public void Should_accept_a_valid_code(string code)
    {
        Assert.That(FiscalCode.Validate(code, out var normalized), Is.Null);
        Assert.That(normalized, Is.EqualTo(code));
    }

    [TestCase("RSSMRA85T10A56NH")] // last digit replaced
    [TestCase("RSSMRA85T10A5RNS")] // two digits replaced
    [TestCase("RSSMRAURTMLARSNL")] // every digit replaced
    public void Should_accept_omocodic_variants(string code)
    {
        Assert.That(FiscalCode.Validate(code, out _), Is.Null);
    }

    [TestCase(" rssmra85t10a562s ", "RSSMRA85T10A562S")]
    [TestCase("RssMra85T10a562S\t", "RSSMRA85T10A562S")]
    public void Should_accept_lowercase_and_surrounding_whitespace_after_normalising(string input, string expected)
    {
        Assert.That(FiscalCode.Validate(input, out var normalized), Is.Null);
        Assert.That(normalized, Is.EqualTo(expected));
    }

    [TestCase("RSSMRA85T10A562T", "check character")]
    [TestCase("RSSMRA85T10A56NS", "check character")] // omocodic variant keeping the old check character
    [TestCase("RSSMRA85T10A562", "16 characters")]
    [TestCase("RSSMRA85T10A562SX", "16 characters")]
    [TestCase("", "16 characters")]
    [TestCase("RSSMRA85T10A5 2S", "position 14")]
    [TestCase("RSSMRA85T10A56AS", "position 15")] // A is not an omocodia letter
    [TestCase("1SSMRA85T10A562S", "position 1")]
    [TestCase("RSSMRA85Z10A562S", "month")]
    [TestCase("RSSMRA85T32A562S", "birth day")]
    public void Should_reject_an_invalid_code_saying_why(string code, string reason)
    {
        Assert.That(FiscalCode.Validate(code, out _), Does.Contain(reason));
    }
}
