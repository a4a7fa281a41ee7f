using Notifiche.Preferences.Profiles;

namespace Notifiche.Preferences.Tests;

public class Validating_a_profile
{
    [Test]
    public void Should_normalise_codice_fiscale_phone_and_language()
    {
        var (profile, errors) = ProfileValidator.Validate(" rssmra85t10a562s", new ProfileRequest { Phone = "347 1234567", Language = "DE" });

        Assert.That(errors, Is.Empty);
        Assert.That(profile!.FiscalCode, Is.EqualTo("RSSMRA85T10A562S"));
        Assert.That(profile.Phone, Is.EqualTo("+393471234567"));
        Assert.That(profile.Language, Is.EqualTo("de"));
    }

    [Test]
    public void Should_not_keep_verified_without_an_email()
    {
        var (profile, _) = ProfileValidator.Validate("RSSMRA85T10A562S", new ProfileRequest { EmailVerified = true });
        Assert.That(profile!.EmailVerified, Is.False);
    }

    [Test]
    public void Should_limit_the_number_of_devices()
    {
        var tokens = Enumerable.Range(0, ProfileValidator.MaxPushTokens + 1).Select(i => $"token-{i}").ToList();
        var (_, errors) = ProfileValidator.Validate("RSSMRA85T10A562S", new ProfileRequest { PushTokens = tokens });
        Assert.That(errors.Keys, Is.EquivalentTo(new[] { "push_tokens" }));
    }

    [Test]
    public void Should_accept_a_foreign_mobile_number_in_international_format()
    {
        var (profile, errors) = ProfileValidator.Validate("RSSMRA85T10A562S", new ProfileRequest { Phone = "+49 151 23456789" });
        Assert.That(errors, Is.Empty);
        Assert.That(profile!.Phone, Is.EqualTo("+4915123456789"));
    }
}
