using System.Globalization;
using System.Net;
using Markdig;
using Microsoft.Extensions.Options;
using MimeKit;
using Notifiche.Contracts;

namespace Notifiche.Dispatch.Email.Composition;

/// <summary>Builds the multipart (text + HTML) email of a notice: the service's Markdown inside the platform's fixed parts.</summary>
public sealed class EmailComposer(IOptions<EmailOptions> options)
{
    // Raw HTML in a notice is not rendered: a service cannot inject markup or scripts into the citizen's mail.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().DisableHtml().Build();

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
        var text = Markdown.ToPlainText(email.Markdown, Pipeline).Trim();
        var html = Markdown.ToHtml(email.Markdown, Pipeline);

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
