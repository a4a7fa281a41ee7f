using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using MimeKit;
using Notifiche.Content;
using Notifiche.Contracts;

namespace Notifiche.Dispatch.Email.Composition;

/// <summary>Builds the multipart (text + HTML) email of a notice: the service's Markdown inside the platform's fixed parts.</summary>
public sealed class EmailComposer(IOptions<EmailOptions> options)
{
    public MimeMessage Compose(SendEmail email)
    {
        var o = options.Value;
        var message = new MimeMessage
        {
            MessageId = $"{email.NoticeId:N}.email@{o.MessageIdDomain}",
            Subject = email.Subject,
        };
        message.From.Add(new MailboxAddress(o.FromName, o.FromAddress));
        message.To.Add(MailboxAddress.Parse(email.To));

        var template = EmailTemplate.For(email.Language);
        var sender = $"{email.ServiceName} — {email.OrganizationName}";
        var due = email.DueDate is { } d ? string.Format(CultureInfo.InvariantCulture, template.DueDate, d) : null;
        var onBehalfOf = string.Format(CultureInfo.InvariantCulture, template.OnBehalfOf, sender);
        // The inbox's content policy: a service cannot put markup, scripts, unsafe links or a tracking pixel into the mail.
        var text = NoticeMarkdown.ToPlainText(email.Markdown).Trim();
        var html = NoticeMarkdown.ToHtml(email.Markdown);

        var body = new BodyBuilder
        {
            TextBody = string.Join("\n\n", new[] { email.Subject, template.Greeting, text, due, "--", onBehalfOf, template.ChangePreferences }
                .Where(p => p is not null)),
            HtmlBody = $"""
                <!DOCTYPE html>
                <html lang="{WebUtility.HtmlEncode(email.Language)}"><head><meta charset="utf-8"><title>{WebUtility.HtmlEncode(email.Subject)}</title></head>
                <body>
                <h1>{WebUtility.HtmlEncode(email.Subject)}</h1>
                <p>{WebUtility.HtmlEncode(template.Greeting)}</p>
                {html}
                {(due is null ? string.Empty : $"<p><strong>{WebUtility.HtmlEncode(due)}</strong></p>")}
                <hr><p><small>{WebUtility.HtmlEncode(onBehalfOf)}<br>{WebUtility.HtmlEncode(template.ChangePreferences)}</small></p>
                </body></html>
                """,
        };
        message.Body = body.ToMessageBody();
        return message;
    }
}
