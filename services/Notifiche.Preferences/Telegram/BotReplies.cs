namespace Notifiche.Preferences.Telegram;

/// <summary>What the bot says to the citizen, in Italian, English or German (by the profile's or Telegram's language).</summary>
public static class BotReplies
{
    public enum Reply
    {
        Linked,
        LinkNotValid,
        Welcome,
        Unlinked,
        NotLinked,
        Help,
    }

    private static readonly Dictionary<string, Dictionary<Reply, string>> Texts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["it"] = new()
        {
            [Reply.Linked] = "Fatto! Da ora riceverai qui gli avvisi delle pubbliche amministrazioni. Scrivi /stop per non riceverli più.",
            [Reply.LinkNotValid] = "Ci dispiace, questo link non è più valido (è scaduto o è già stato usato). Chiedine uno nuovo dall'app e aprilo entro pochi minuti.",
            [Reply.Welcome] = "Ciao! Per ricevere qui i tuoi avvisi, apri il collegamento a Telegram dall'app.",
            [Reply.Unlinked] = "Non riceverai più avvisi qui. Puoi collegarti di nuovo quando vuoi dall'app.",
            [Reply.NotLinked] = "Questa chat non è collegata a nessun profilo.",
            [Reply.Help] = "Questo bot invia gli avvisi delle pubbliche amministrazioni. Collegati dall'app; scrivi /stop per non ricevere più avvisi.",
        },
        ["en"] = new()
        {
            [Reply.Linked] = "Done! From now on you will receive public administration notices here. Send /stop to stop them.",
            [Reply.LinkNotValid] = "Sorry, this link is no longer valid (it expired or was already used). Ask the app for a new one and open it within a few minutes.",
            [Reply.Welcome] = "Hello! To receive your notices here, open the Telegram link from the app.",
            [Reply.Unlinked] = "You will no longer receive notices here. You can link again from the app at any time.",
            [Reply.NotLinked] = "This chat is not linked to any profile.",
            [Reply.Help] = "This bot sends public administration notices. Link it from the app; send /stop to stop receiving them.",
        },
        ["de"] = new()
        {
            [Reply.Linked] = "Erledigt! Ab jetzt erhalten Sie hier Mitteilungen der öffentlichen Verwaltung. Senden Sie /stop, um sie abzubestellen.",
            [Reply.LinkNotValid] = "Dieser Link ist leider nicht mehr gültig (abgelaufen oder bereits verwendet). Fordern Sie in der App einen neuen an.",
            [Reply.Welcome] = "Hallo! Um Ihre Mitteilungen hier zu erhalten, öffnen Sie den Telegram-Link in der App.",
            [Reply.Unlinked] = "Sie erhalten hier keine Mitteilungen mehr. Sie können sich jederzeit in der App wieder verbinden.",
            [Reply.NotLinked] = "Dieser Chat ist mit keinem Profil verbunden.",
            [Reply.Help] = "Dieser Bot sendet Mitteilungen der öffentlichen Verwaltung. Verbinden Sie ihn in der App; /stop bestellt sie ab.",
        },
    };

    public static string Text(Reply reply, string? language) =>
        (language is not null && Texts.TryGetValue(language.Length > 2 ? language[..2] : language, out var texts) ? texts : Texts["it"])[reply];
}
