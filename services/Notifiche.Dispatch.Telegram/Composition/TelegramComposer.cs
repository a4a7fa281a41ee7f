using System.Text;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Dispatch.Telegram.Sending;

namespace Notifiche.Dispatch.Telegram.Composition;

/// <summary>The message of a notice: the language's template, with the service's name and the subject escaped for HTML parse mode.</summary>
public sealed class TelegramComposer(IOptions<TelegramOptions> options)
{
    /// <summary>Telegram's limit on a message's text (after entities are parsed).</summary>
    public const int MaxLength = 4096;

    public TelegramMessage Compose(SendTelegram command)
    {
        var templates = options.Value.Templates;
        var template = templates.GetValueOrDefault(command.Language) ?? templates["it"];
        var html = template.Replace("{service}", Escape(command.ServiceName), StringComparison.Ordinal)
            .Replace("{subject}", Escape(Shorten(command.Subject)), StringComparison.Ordinal);
        return new TelegramMessage(command.NoticeId, command.ChatId, html);
    }

    /// <summary>
    /// Bot API HTML style: every <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> that is not part of a tag or an entity must be
    /// written as an entity, and only those (plus <c>&amp;quot;</c>) are named. Written out rather than
    /// <c>WebUtility.HtmlEncode</c>, which also turns every accented letter into a numeric entity and so eats into the
    /// 4096-character limit.
    /// </summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    private static string Shorten(string subject) => subject.Length <= MaxLength / 2 ? subject : subject[..(MaxLength / 2 - 1)] + "…";
}
