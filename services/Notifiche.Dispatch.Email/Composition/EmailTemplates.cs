using Notifiche.Contracts;

namespace Notifiche.Dispatch.Email.Composition;

/// <summary>The platform's fixed parts of an email, in the citizen's language; the notice text is the service's own.</summary>
public sealed record EmailTemplate(string Greeting, string DueDate, string OnBehalfOf, string ChangePreferences)
{
    private static readonly Dictionary<string, EmailTemplate> ByLanguage = new()
    {
        [Languages.Italian] = new(
            "Gentile cittadina, gentile cittadino,",
            "Scadenza: {0:dd/MM/yyyy}",
            "Inviato per conto di {0} tramite Notifiche.",
            "Puoi scegliere come ricevere gli avvisi nelle preferenze dell'app dei servizi pubblici."),
        [Languages.English] = new(
            "Dear citizen,",
            "Due date: {0:dd/MM/yyyy}",
            "Sent on behalf of {0} via Notifiche.",
            "You can choose how you receive notices in the preferences of the public services app."),
        [Languages.German] = new(
            "Sehr geehrte Bürgerin, sehr geehrter Bürger,",
            "Fälligkeit: {0:dd.MM.yyyy}",
            "Im Auftrag von {0} über Notifiche versandt.",
            "Wie Sie Mitteilungen erhalten, legen Sie in den Einstellungen der App für öffentliche Dienste fest."),
    };

    /// <summary>The template of the language, Italian when the language has none.</summary>
    public static EmailTemplate For(string language) =>
        ByLanguage.GetValueOrDefault(language) ?? ByLanguage[Languages.Italian];
}
