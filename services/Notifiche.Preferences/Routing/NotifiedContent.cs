using Notifiche.Contracts;

namespace Notifiche.Preferences.Routing;

/// <summary>What the channels say of a notice: its subject and content, or only that it waits in the inbox.</summary>
/// <param name="Anonymous">Push shows only the service's name and the dispatcher's generic line.</param>
public sealed record NotifiedContent(string Subject, string Markdown, DateOnly? DueDate, bool Anonymous)
{
    /// <summary>
    /// A sensitive notice (or a citizen who wants every notice so) is replaced here, where the dispatch commands are built,
    /// so its subject and content never reach the broker's command queues, the deferred dispatches or a dispatcher: the
    /// channels name the administration and point to the inbox, in the citizen's language. A due-date reminder says so.
    /// </summary>
    public static NotifiedContent For(NoticeSubmitted notice, ChannelPlan plan)
    {
        var texts = Texts.GetValueOrDefault(plan.Language) ?? Texts[Languages.Italian];
        var content = plan.ContentOnlyInInbox
            ? new NotifiedContent(
                string.Format(System.Globalization.CultureInfo.InvariantCulture, texts.Subject, notice.OrganizationName),
                string.Format(System.Globalization.CultureInfo.InvariantCulture, texts.Body, notice.OrganizationName), null, true)
            : new NotifiedContent(notice.Subject, notice.Markdown, notice.DueDate, false);
        return notice.ReminderOf is null ? content : content with { Subject = texts.Reminder + content.Subject };
    }

    private sealed record InboxOnlyTexts(string Subject, string Body, string Reminder);

    // Markdown bodies: the email renders them; SMS, push and Telegram use only the subject.
    private static readonly Dictionary<string, InboxOnlyTexts> Texts = new()
    {
        [Languages.Italian] = new("Nuovo avviso riservato: {0}",
            "Hai un nuovo avviso da **{0}**. Per riservatezza il contenuto non è riportato in questo messaggio: "
            + "lo trovi completo nella tua casella degli avvisi, nell'app.", "Promemoria: "),
        [Languages.English] = new("New confidential notice: {0}",
            "You have a new notice from **{0}**. For your privacy its content is not included in this message: "
            + "you can read it in full in your notice inbox, in the app.", "Reminder: "),
        [Languages.German] = new("Neue vertrauliche Mitteilung: {0}",
            "Sie haben eine neue Mitteilung von **{0}**. Zum Schutz Ihrer Privatsphäre steht ihr Inhalt nicht in dieser Nachricht: "
            + "Sie finden sie vollständig in Ihrem Posteingang in der App.", "Erinnerung: "),
    };
}
