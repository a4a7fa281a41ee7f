namespace Notifiche.Dispatch.Sms.Tests;

/// <summary>
/// Issue 16, point 1: the SMS dispatcher refuses to start with Twilio credentials or a ledger address key that are
/// missing, short or placeholders — at start, not after the first SMS's half hour of retries against a 401.
/// </summary>
public class Starting_the_sms_dispatcher_with_a_known_secret
{
    [TestCase("Sms:Twilio:AccountSid", null, "is not set")]
    [TestCase("Sms:Twilio:AccountSid", "change-me", "is a placeholder")]
    [TestCase("Sms:Twilio:AuthToken", "", "is not set")]
    [TestCase("Sms:Twilio:AuthToken", "9f3c2a71be", "is shorter than 32 characters")]
    [TestCase("DispatchLedger:AddressKey", "change-me-dispatch-address-key", "is a placeholder")]
    [TestCase("DispatchLedger:AddressKey", "standalone-dispatch-address-key", "is shorter than 32 characters")]
    public async Task Should_refuse_naming_the_setting_and_not_showing_the_value(string setting, string? value, string reason)
    {
        await using var stub = await TwilioStub.StartAsync();
        var settings = SmsTestHost.Settings(stub);
        settings[setting] = value;
        using var host = SmsTestHost.Build(settings);

        var failure = Assert.CatchAsync(() => host.StartAsync());

        var message = failure is AggregateException all ? string.Join('\n', all.InnerExceptions.Select(e => e.Message)) : failure!.Message;
        Assert.That(message, Does.Contain($"{setting} (environment {setting.Replace(":", "__")}) {reason}"));
        if (!string.IsNullOrEmpty(value))
        {
            Assert.That(message, Does.Not.Contain(value));
        }
    }

    [Test]
    public async Task Should_not_ask_the_sandbox_for_twilio_credentials()
    {
        await using var stub = await TwilioStub.StartAsync();
        var settings = SmsTestHost.Settings(stub);
        settings["Sms:Provider"] = "Sandbox";
        settings["Sms:Twilio:AccountSid"] = null;
        settings["Sms:Twilio:AuthToken"] = null;
        using var host = SmsTestHost.Build(settings);

        Assert.DoesNotThrowAsync(() => host.StartAsync());
        await host.StopAsync();
    }
}
