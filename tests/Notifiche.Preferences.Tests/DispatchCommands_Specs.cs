using Notifiche.Contracts;
using Notifiche.Preferences.Data;
using Notifiche.Preferences.Routing;

namespace Notifiche.Preferences.Tests;

/// <summary>
/// What the dispatch commands carry (issue 17, points 4 and 7): a sensitive notice, or any notice of a citizen who asked
/// for it, only the inbox pointer naming the administration, in the citizen's language; a reminder says it is one.
/// </summary>
public class Building_the_dispatch_commands
{
    private const string Subject = "Esito del test sierologico";
    private static readonly string Markdown = "Risultato NEGATIVO. " + new string('m', 80);

    private static NoticeSubmitted Notice(bool sensitive = false, Guid? reminderOf = null) => new()
    {
        NoticeId = Guid.NewGuid(), ServiceId = "asl", ServiceName = "Referti", OrganizationName = "ASL Roma 1",
        AllowedChannels = [.. Channels.All], FiscalCode = "RSSMRA85T10A562S", Subject = Subject, Markdown = Markdown,
        DueDate = new DateOnly(2026, 12, 31), AcceptedAt = DateTimeOffset.UtcNow, ExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
        Sensitive = sensitive, ReminderOf = reminderOf,
    };

    private static Profile Citizen(string language = "it", bool contentOnlyInInbox = false) => new()
    {
        FiscalCode = "RSSMRA85T10A562S", Email = "a@example.it", EmailVerified = true, Phone = "+393471234567", PushTokens = ["t1"],
        TelegramChatId = 42, Language = language, ContentOnlyInInbox = contentOnlyInInbox,
    };

    private static IEnumerable<object> Commands(NoticeSubmitted notice, Profile? profile)
    {
        var plan = ChannelPlan.For(notice, profile);
        return plan.Channels.Select(c => DispatchCommands.For(c, notice, plan));
    }

    [TestCase("it", "Nuovo avviso riservato: ASL Roma 1")]
    [TestCase("en", "New confidential notice: ASL Roma 1")]
    [TestCase("de", "Neue vertrauliche Mitteilung: ASL Roma 1")]
    public void Should_carry_only_the_inbox_pointer_of_a_sensitive_notice_on_every_channel(string language, string subject)
    {
        var commands = Commands(Notice(sensitive: true), Citizen(language)).ToList();

        Assert.That(commands, Has.Count.EqualTo(4));
        var email = commands.OfType<SendEmail>().Single();
        Assert.That((email.Subject, email.DueDate), Is.EqualTo((subject, (DateOnly?)null)));
        Assert.That(email.Markdown, Does.Contain("ASL Roma 1").And.Not.Contain("NEGATIVO"));
        Assert.That(commands.OfType<SendSms>().Single().Subject, Is.EqualTo(subject));
        Assert.That(commands.OfType<SendTelegram>().Single().Subject, Is.EqualTo(subject));
        var push = commands.OfType<SendPush>().Single();
        Assert.That((push.Subject, push.Anonymous), Is.EqualTo((subject, true)));
        Assert.That(string.Concat(commands.Select(c => System.Text.Json.JsonSerializer.Serialize(c, c.GetType()))),
            Does.Not.Contain("sierologico").And.Not.Contain("NEGATIVO"), "nothing of the content in any command");
    }

    [Test]
    public void Should_treat_every_notice_so_for_a_citizen_who_asked_for_it()
    {
        var email = Commands(Notice(), Citizen(contentOnlyInInbox: true)).OfType<SendEmail>().Single();
        Assert.That(email.Subject, Is.EqualTo("Nuovo avviso riservato: ASL Roma 1"));
    }

    [Test]
    public void Should_keep_a_sensitive_notice_so_for_a_default_address_without_a_profile()
    {
        var notice = Notice(sensitive: true) with { DefaultEmail = "d@example.it" };
        Assert.That(Commands(notice, null).OfType<SendEmail>().Single().Subject, Is.EqualTo("Nuovo avviso riservato: ASL Roma 1"));
    }

    [Test]
    public void Should_carry_the_notice_as_written_otherwise()
    {
        var email = Commands(Notice(), Citizen()).OfType<SendEmail>().Single();
        Assert.That((email.Subject, email.Markdown, email.DueDate), Is.EqualTo((Subject, Markdown, (DateOnly?)new DateOnly(2026, 12, 31))));
    }

    [Test]
    public void Should_say_a_reminder_is_one_and_open_the_reminded_notice_from_the_push()
    {
        var reminded = Guid.NewGuid();
        var commands = Commands(Notice(reminderOf: reminded), Citizen("en")).ToList();
        Assert.That(commands.OfType<SendEmail>().Single().Subject, Is.EqualTo("Reminder: " + Subject));
        Assert.That(commands.OfType<SendPush>().Single().InboxNoticeId, Is.EqualTo(reminded));
        Assert.That(Commands(Notice(sensitive: true, reminderOf: reminded), Citizen()).OfType<SendSms>().Single().Subject,
            Is.EqualTo("Promemoria: Nuovo avviso riservato: ASL Roma 1"));
    }
}
