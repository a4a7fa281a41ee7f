using Notifiche.Contracts;
using Notifiche.Preferences.Data;
using Notifiche.Preferences.Routing;

namespace Notifiche.Preferences.Tests;

public class Planning_the_channels_of_a_notice
{
    private static NoticeSubmitted Notice(string[] allowed, string? defaultEmail = null) => new()
    {
        NoticeId = Guid.NewGuid(), ServiceId = "tributi", ServiceName = "Tributi", OrganizationName = "Regione", AllowedChannels = allowed,
        FiscalCode = "RSSMRA85T10A562S", Subject = "Bollo auto in scadenza", Markdown = new string('m', 80), DefaultEmail = defaultEmail,
        AcceptedAt = DateTimeOffset.UtcNow, ExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
    };

    private static Profile Citizen(bool email = true, bool sms = true, bool push = true, bool verified = true,
        string? address = "a@example.it", string? phone = "+393471234567", string[]? tokens = null, string[]? blocked = null,
        long? chat = null, bool telegram = true) => new()
    {
        TelegramChatId = chat, TelegramEnabled = telegram,
        FiscalCode = "RSSMRA85T10A562S", Email = address, EmailVerified = verified, Phone = phone, PushTokens = [.. tokens ?? ["t1"]],
        EmailEnabled = email, SmsEnabled = sms, PushEnabled = push, BlockedServices = [.. blocked ?? []],
    };

    private static readonly string[] All = [Channels.Email, Channels.Sms, Channels.Push];

    public static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(Notice(All), Citizen(), new[] { "email", "sms", "push" }, null).SetName("everything enabled and allowed");
        yield return new TestCaseData(Notice(All), Citizen(sms: false), new[] { "email", "push" }, null).SetName("citizen switched sms off");
        yield return new TestCaseData(Notice(["email", "push"]), Citizen(), new[] { "email", "push" }, null).SetName("service not allowed sms");
        yield return new TestCaseData(Notice(All), Citizen(verified: false), new[] { "sms", "push" }, null).SetName("unverified email not used");
        yield return new TestCaseData(Notice(All), Citizen(address: null, phone: null, tokens: []), Array.Empty<string>(), null).SetName("no addresses: processed, no channel");
        yield return new TestCaseData(Notice(All), Citizen(tokens: []), new[] { "email", "sms" }, null).SetName("no device: no push");
        yield return new TestCaseData(Notice(All), Citizen(blocked: ["tributi"]), Array.Empty<string>(), "SERVICE_BLOCKED").SetName("service blocked");
        yield return new TestCaseData(Notice(All), Citizen(blocked: ["other"]), new[] { "email", "sms", "push" }, null).SetName("another service blocked");
        yield return new TestCaseData(Notice(All, "d@example.it"), null, new[] { "email" }, null).SetName("no profile, default email");
        yield return new TestCaseData(Notice(All), null, Array.Empty<string>(), "USER_NOT_FOUND").SetName("no profile, no default email");
        yield return new TestCaseData(Notice(["sms"], "d@example.it"), null, Array.Empty<string>(), "NO_CHANNEL").SetName("no profile, email not allowed");
        yield return new TestCaseData(Notice([.. All, "telegram"]), Citizen(chat: 42), new[] { "email", "sms", "push", "telegram" }, null).SetName("telegram chat linked");
        yield return new TestCaseData(Notice([.. All, "telegram"]), Citizen(), new[] { "email", "sms", "push" }, null).SetName("no telegram chat linked");
        yield return new TestCaseData(Notice([.. All, "telegram"]), Citizen(chat: 42, telegram: false), new[] { "email", "sms", "push" }, null).SetName("citizen switched telegram off");
        yield return new TestCaseData(Notice(All), Citizen(chat: 42), new[] { "email", "sms", "push" }, null).SetName("service not allowed telegram");
    }

    [TestCaseSource(nameof(Cases))]
    public void Should_plan_exactly_the_channels_profile_and_permissions_imply(NoticeSubmitted notice, Profile? profile, string[] channels, string? rejection)
    {
        var plan = ChannelPlan.For(notice, profile);

        Assert.That(plan.Channels, Is.EqualTo(channels));
        Assert.That(plan.RejectionReason, Is.EqualTo(rejection));
    }

    [Test]
    public void Should_carry_the_addresses_of_the_planned_channels_only()
    {
        var plan = ChannelPlan.For(Notice([Channels.Email, Channels.Push]), Citizen(tokens: ["t1", "t2"]));

        Assert.That(plan.Email, Is.EqualTo("a@example.it"));
        Assert.That(plan.Phone, Is.Null);
        Assert.That(plan.PushTokens, Is.EqualTo(new[] { "t1", "t2" }));
    }

    [Test]
    public void Should_carry_the_telegram_chat_only_when_telegram_is_planned()
    {
        Assert.That(ChannelPlan.For(Notice(["email", "telegram"]), Citizen(chat: 42)).TelegramChatId, Is.EqualTo(42));
        Assert.That(ChannelPlan.For(Notice(["email"]), Citizen(chat: 42)).TelegramChatId, Is.Null);
    }
}
