using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Gateway.Data;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Issue 16 point 7: the monthly SMS budget is reserved at admission, so a burst of concurrent submissions cannot overshoot
/// it — before, admission summed the SMS already sent, and every notice of a burst found the budget untouched.
/// </summary>
public class A_burst_of_notices_against_a_small_sms_budget
{
    private const int Burst = 10;
    private const int BudgetSegments = 4; // two SMS of two segments each (the dispatcher's Sms:MaxSegments)

    // 120 characters: with the template around it the SMS needs both of its two segments, so each costs the whole reservation.
    private static readonly string LongSubject = new string('x', 100) + " scade il 31/01/2027";

    [Test]
    public async Task Should_plan_sms_for_exactly_the_budget_over_http_and_omit_it_from_the_rest()
    {
        var id = $"sms-budget-{Guid.NewGuid():N}"[..30];
        var service = await Platform.Hosts.RegisterServiceAsync(id, "email", "sms");
        var citizen = await CitizenWithPhoneAsync();
        await LimitAsync(id);

        var responses = await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ => service.PostAsJsonAsync("/api/v1/notices",
            NoticeApi.Body(subject: LongSubject, fiscalCode: citizen.FiscalCode))));
        var ids = new List<Guid>();
        foreach (var response in responses)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        await AssertExactlyTheBudgetAsync(service, ids, citizen.Phone, id);
    }

    [Test]
    public async Task Should_plan_sms_for_exactly_the_budget_over_the_broker_and_omit_it_from_the_rest()
    {
        await using var service = await BrokerService.StartAsync("sms-budget-amqp", "email", "sms");
        var citizen = await CitizenWithPhoneAsync();
        await LimitAsync(service.Id);

        await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ =>
            service.PublishAsync(BrokerService.Notice(service.Id, subject: LongSubject, fiscalCode: citizen.FiscalCode))));
        var ids = new List<Guid>();
        for (var i = 0; i < Burst; i++)
        {
            var reply = await service.NextReplyAsync();
            Assert.That(reply.TryGetProperty("noticeId", out var noticeId), Is.True, $"accepted: {reply}");
            ids.Add(noticeId.GetGuid());
        }

        await AssertExactlyTheBudgetAsync(service.Http, ids, citizen.Phone, service.Id);
    }

    private static Task LimitAsync(string serviceId) => Platform.Hosts.OperatorAsync<Dictionary<string, object>>(HttpMethod.Patch,
        $"/api/v1/admin/services/{serviceId}", new { monthly_sms_budget = new { segments = BudgetSegments } });

    private static async Task<(string FiscalCode, string Phone)> CitizenWithPhoneAsync()
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var phone = $"+39347{Random.Shared.Next(0, 10_000_000):0000000}";
        var profile = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}",
            new { email = $"budget-{Guid.NewGuid():N}@example.it", email_verified = true, phone });
        Assert.That(profile.StatusCode, Is.EqualTo(HttpStatusCode.OK), await profile.Content.ReadAsStringAsync());
        return (fiscalCode, phone);
    }

    private static async Task AssertExactlyTheBudgetAsync(HttpClient service, IReadOnlyList<Guid> ids, string phone, string serviceId)
    {
        var statuses = new List<JsonElement>();
        foreach (var id in ids)
        {
            statuses.Add(await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT"));
        }

        var withSms = ids.Where((_, i) => NoticeApi.ChannelStatus(statuses[i], "sms") is not null).ToList();
        Assert.That(withSms, Has.Count.EqualTo(BudgetSegments / 2), "SMS planned for exactly what the budget holds");
        foreach (var status in statuses.Where(s => NoticeApi.ChannelStatus(s, "sms") is null))
        {
            var omitted = status.GetProperty("omitted_channels").EnumerateArray().Single();
            Assert.That(omitted.GetProperty("channel").GetString(), Is.EqualTo("sms"));
            Assert.That(omitted.GetProperty("reason").GetString(), Is.EqualTo("SMS_BUDGET_EXHAUSTED"));
        }

        foreach (var id in withSms)
        {
            await NoticeApi.WaitForChannelAsync(service, id, "sms", "SENT");
        }

        Assert.That(Platform.Hosts.Twilio.Accepted.Count(r => r.To == phone), Is.EqualTo(BudgetSegments / 2), "the provider got exactly the budget's SMS");
        await using var scope = Platform.Hosts.GatewayServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        Assert.That(await db.Set<Notifiche.Gateway.Governance.MonthlySmsUsage>().Where(u => u.ServiceId == serviceId).SumAsync(u => u.Segments),
            Is.EqualTo(BudgetSegments), "the month's counter holds what the SMS spent");
        Assert.That(await db.Notices.Where(n => n.ServiceId == serviceId && n.SmsReservedSegments != null).CountAsync(), Is.Zero,
            "every reservation is settled once the SMS are final and the other notices routed");
    }
}

/// <summary>
/// Issue 16's budget meets issue 17's reminders: a notice's due-date reminders are notices of their own, so the SMS of each
/// is reserved with the notice's at admission, and what a reminder cancelled by <c>resolve</c> reserved is given back.
/// </summary>
public class Reminders_under_a_monthly_sms_budget
{
    [Test]
    public async Task Should_send_the_reminders_sms_from_the_notices_reservation_and_give_back_a_cancelled_ones()
    {
        var serviceId = $"sms-reminders-{Guid.NewGuid():N}"[..30];
        var service = await Platform.Hosts.RegisterServiceAsync(serviceId, "email", "sms");
        await Platform.Hosts.OperatorAsync<Dictionary<string, object>>(HttpMethod.Patch, $"/api/v1/admin/services/{serviceId}",
            new { monthly_sms_budget = new { segments = 100 } });
        var fiscalCode = Citizens.NewFiscalCode();
        var phone = $"+39345{Random.Shared.Next(0, 10_000_000):0000000}";
        var profile = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}",
            new { email = $"reminded-{Guid.NewGuid():N}@example.it", email_verified = true, phone });
        Assert.That(profile.StatusCode, Is.EqualTo(HttpStatusCode.OK), await profile.Content.ReadAsStringAsync());
        var (due, soon, _) = Reminding_a_citizen_of_a_due_date.ReminderIn(TimeSpan.FromSeconds(6));
        var (_, later, _) = Reminding_a_citizen_of_a_due_date.ReminderIn(TimeSpan.FromHours(2));

        var id = await NoticeApi.SubmitAsync(service, Reminding_a_citizen_of_a_due_date.Body(fiscalCode, $"x-{Guid.NewGuid():N}@example.it", due, later, soon));

        var status = await NoticeApi.WaitForChannelAsync(service, id, "sms", "SENT");
        var soonId = status.GetProperty("reminders").EnumerateArray().Single(r => r.GetProperty("before").GetString() == soon).GetProperty("id").GetGuid();
        await NoticeApi.WaitForChannelAsync(service, soonId, "sms", "SENT");
        Assert.That(Platform.Hosts.Twilio.Accepted.Count(r => r.To == phone), Is.EqualTo(2), "the notice's SMS and its first reminder's");

        (await service.PostAsync($"/api/v1/notices/{id}/resolve", null)).EnsureSuccessStatusCode();

        await using var scope = Platform.Hosts.GatewayServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var spent = await db.Notices.Where(n => n.ServiceId == serviceId).SelectMany(n => n.Channels)
            .Where(c => c.Channel == "sms" && c.Status == "SENT").SumAsync(c => c.Segments ?? 0);
        Assert.That(await db.Set<Notifiche.Gateway.Governance.MonthlySmsUsage>().Where(u => u.ServiceId == serviceId).SumAsync(u => u.Segments),
            Is.EqualTo(spent), "the month's counter holds what the two SMS spent: the cancelled reminder's reservation was given back");
        Assert.That(await db.Notices.Where(n => n.ServiceId == serviceId && n.SmsReservedSegments != null).CountAsync(), Is.Zero);
    }
}
