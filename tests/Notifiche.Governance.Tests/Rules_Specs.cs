using System.Net;
using Notifiche.Gateway.Governance;
using Notifiche.Validation;

namespace Notifiche.Governance.Tests;

public class Checking_an_organisations_fiscal_code
{
    [TestCase("01199250158")] // Comune di Milano
    [TestCase("80050050154")] // Regione Lombardia
    [TestCase("02438750586")] // Comune di Roma
    [TestCase(" 01199250158 ")]
    public void Should_accept_valid_codes(string code)
    {
        Assert.That(OrganizationFiscalCode.Validate(code, out var normalized), Is.Null);
        Assert.That(normalized, Is.EqualTo(code.Trim()));
    }

    [TestCase("01199250157", "check digit")]
    [TestCase("0119925015", "11 digits")]
    [TestCase("0119925015A", "11 digits")]
    [TestCase("011 9925015", "11 digits")]
    [TestCase(null, "11 digits")]
    public void Should_refuse_invalid_codes_saying_why(string? code, string problem) =>
        Assert.That(OrganizationFiscalCode.Validate(code, out _), Does.Contain(problem));
}

public class Matching_source_networks
{
    [Test]
    public void Should_allow_any_address_when_the_list_is_empty() =>
        Assert.That(SourceNetworks.Allows([], IPAddress.Parse("198.51.100.7")), Is.True);

    [TestCase("127.0.0.1", true)]
    [TestCase("::ffff:127.0.0.1", true)]
    [TestCase("10.1.2.3", true)]
    [TestCase("2001:db8::5", true)]
    [TestCase("192.168.1.1", false)]
    [TestCase("::1", false)]
    public void Should_match_addresses_against_the_networks(string address, bool allowed) =>
        Assert.That(SourceNetworks.Allows(["127.0.0.0/8", "10.0.0.0/8", "2001:db8::/32"], IPAddress.Parse(address)), Is.EqualTo(allowed));

    [TestCase("203.0.113.0/24", "203.0.113.0/24")]
    [TestCase(" 203.0.113.9 ", "203.0.113.9/32")]
    [TestCase("2001:db8::1", "2001:db8::1/128")]
    public void Should_normalise_networks_and_single_hosts(string input, string cidr) =>
        Assert.That(SourceNetworks.Normalize(input, out _), Is.EqualTo(cidr));

    [TestCase("203.0.113.9/24")]
    [TestCase("10.0.0.0/33")]
    [TestCase("intranet")]
    public void Should_refuse_what_is_not_a_cidr(string input)
    {
        Assert.That(SourceNetworks.Normalize(input, out var problem), Is.Null);
        Assert.That(problem, Does.Contain("CIDR"));
    }
}

public class Computing_retry_after
{
    [TestCase(0.0, 1.0, 1)]
    [TestCase(0.5, 1.0, 1)]
    [TestCase(0.2, 0.2, 4)]
    [TestCase(0.0, 0.2, 5)]
    [TestCase(0.99, 100.0, 1)]
    public void Should_be_the_whole_seconds_until_a_token_and_at_least_one(double tokens, double rate, int seconds) =>
        Assert.That(RateLimiter.RetryAfter(tokens, rate), Is.EqualTo(TimeSpan.FromSeconds(seconds)));
}
