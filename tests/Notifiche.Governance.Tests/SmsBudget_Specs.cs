using Notifiche.Testing;

namespace Notifiche.Governance.Tests;

public class Monthly_sms_budget
{
    [Test]
    public async Task Should_stop_planning_sms_once_the_budget_is_spent_fall_back_to_email_and_say_so_in_the_status()
    {
        using var service = Operator.ClientWith(await Operator.CreateAsync(Operator.ServiceBody("budget-tributi", "email", "sms")));
        await Operator.UpdateAsync("budget-tributi", new { monthly_sms_budget = new { segments = 1 } });
        var citizen = await Citizen.WithEmailAndSmsAsync();

        var first = await Operator.AcceptedAsync(service, citizen.FiscalCode, email: null);
        await Operator.WaitForChannelAsync(service, first, "sms", "SENT");
        Assert.That((await Operator.StatusAsync(service, first)).GetProperty("omitted_channels").GetArrayLength(), Is.Zero);

        var second = await Operator.AcceptedAsync(service, citizen.FiscalCode, email: null);
        var status = await Operator.WaitForChannelAsync(service, second, "email", "SENT");

        Assert.That(Operator.ChannelStatus(status, "sms"), Is.Null, "no SMS planned over the budget");
        var omitted = status.GetProperty("omitted_channels").EnumerateArray().Single();
        Assert.That(omitted.GetProperty("channel").GetString(), Is.EqualTo("sms"));
        Assert.That(omitted.GetProperty("reason").GetString(), Is.EqualTo("SMS_BUDGET_EXHAUSTED"));
        Assert.That(citizen.SmsReceived, Is.EqualTo(1));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(citizen.Email), Has.Count.EqualTo(2));

        await Operator.UpdateAsync("budget-tributi", new { monthly_sms_budget = (object?)null });
        var third = await Operator.AcceptedAsync(service, citizen.FiscalCode, email: null);
        await Operator.WaitForChannelAsync(service, third, "sms", "SENT");
    }
}
