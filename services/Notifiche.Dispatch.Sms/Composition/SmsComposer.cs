using System.Globalization;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;

namespace Notifiche.Dispatch.Sms.Composition;

/// <summary>The SMS text of a notice and what it costs.</summary>
public sealed record SmsText(string Body, SmsEncoding Encoding);

/// <summary>
/// Writes the SMS of a notice: the citizen's language template around the service name and the subject (never the
/// Markdown), with the subject shortened until the text fits <see cref="SmsOptions.MaxSegments"/>, or the fewer segments the
/// notice has reserved in its service's SMS budget (<see cref="SendSms.MaxSegments"/>).
/// </summary>
public sealed class SmsComposer(IOptions<SmsOptions> options)
{
    private const string Ellipsis = "..."; // "…" is not in GSM-7 and would turn the whole SMS into UCS-2

    public SmsText Compose(SendSms sms)
    {
        var o = options.Value;
        var max = Math.Min(o.MaxSegments, sms.MaxSegments ?? o.MaxSegments);
        var template = o.Templates.GetValueOrDefault(sms.Language) ?? o.Templates["it"];
        var subject = sms.Subject.Trim().TrimEnd('.');

        var body = Fill(template, sms.ServiceName, subject);
        var encoding = SmsEncoding.Of(body);
        var elements = StringInfo.GetTextElementEnumerator(subject);
        var boundaries = new List<int>();
        while (elements.MoveNext())
        {
            boundaries.Add(elements.ElementIndex);
        }

        // Drop whole text elements (never half an emoji) from the end of the subject until the text fits.
        for (var kept = boundaries.Count - 1; encoding.Segments > max && kept >= 0; kept--)
        {
            body = Fill(template, sms.ServiceName, subject[..boundaries[kept]].TrimEnd() + Ellipsis);
            encoding = SmsEncoding.Of(body);
        }

        // A service name so long that even an empty subject does not fit: cut the text itself.
        while (encoding.Segments > max)
        {
            body = body[..^(char.IsLowSurrogate(body[^1]) ? 2 : 1)];
            encoding = SmsEncoding.Of(body);
        }

        return new SmsText(body, encoding);
    }

    // A shortened subject ends with "...": the template's own full stop after it would make four.
    private static string Fill(string template, string service, string subject) =>
        (subject.EndsWith('.') ? template.Replace("{subject}.", "{subject}", StringComparison.Ordinal) : template)
            .Replace("{service}", service, StringComparison.Ordinal)
            .Replace("{subject}", subject, StringComparison.Ordinal);
}
