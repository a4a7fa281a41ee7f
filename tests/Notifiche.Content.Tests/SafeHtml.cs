using System.Text.RegularExpressions;
using System.Xml;

namespace Notifiche.Content.Tests;

/// <summary>
/// A strict reading of rendered HTML: it must parse as XML (Markdig writes XHTML-style void elements), and every element
/// and attribute must be on the lists below; a link's target must be http, https or mailto. What does not parse fails.
/// </summary>
public static partial class SafeHtml
{
    private static readonly HashSet<string> Elements =
    [
        "p", "a", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br",
        "table", "thead", "tbody", "tr", "th", "td", "del", "ins", "sup", "sub", "mark",
    ];

    /// <summary>The email's own envelope around the notice's HTML.</summary>
    private static readonly HashSet<string> EnvelopeElements = ["html", "head", "meta", "title", "body", "small"];

    /// <summary>Problems found in an HTML fragment (the inbox) or an email document (<paramref name="email"/>); empty when safe.</summary>
    public static List<string> Problems(string html, bool email = false)
    {
        var problems = new List<string>();
        if (email)
        {
            // The envelope is written by hand as HTML5; make its few void elements well-formed (Markdig never writes these forms).
            html = html.Replace("<!DOCTYPE html>", string.Empty, StringComparison.Ordinal);
            html = HandWrittenVoid().Replace(html, "<$1$2 />");
        }

        var settings = new XmlReaderSettings { ConformanceLevel = ConformanceLevel.Fragment, DtdProcessing = DtdProcessing.Prohibit };
        var metas = 0;
        try
        {
            using var reader = XmlReader.Create(new StringReader($"<root>{html}</root>"), settings);
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.Depth == 0)
                {
                    continue;
                }

                var name = reader.LocalName;
                metas += name == "meta" ? 1 : 0;
                if (!Elements.Contains(name) && !(email && EnvelopeElements.Contains(name)))
                {
                    problems.Add($"element <{name}>");
                }

                while (reader.MoveToNextAttribute())
                {
                    if (!IsAllowedAttribute(name, reader.LocalName, reader.Value))
                    {
                        problems.Add($"attribute {reader.LocalName}=\"{reader.Value}\" on <{name}>");
                    }
                }

                reader.MoveToElement();
            }
        }
        catch (XmlException e)
        {
            problems.Add($"not well-formed: {e.Message}");
        }

        if (email && metas != 1)
        {
            problems.Add($"{metas} <meta> elements: only the envelope's charset is expected");
        }

        return problems;
    }

    private static bool IsAllowedAttribute(string element, string attribute, string value) => (element, attribute) switch
    {
        ("a", "href") => SafeTarget().IsMatch(value),
        ("a", "rel") => value == "noopener noreferrer",
        ("a", "title") => true,
        ("ol", "start") => int.TryParse(value, out _),
        ("th" or "td", "style") => Alignment().IsMatch(value),
        ("code", "class") => value.StartsWith("language-", StringComparison.Ordinal),
        ("html", "lang") => true,
        ("meta", "charset") => value == "utf-8",
        _ => false,
    };

    [GeneratedRegex("^(https?://[^/\\s]|mailto:[^\\s])", RegexOptions.IgnoreCase)]
    private static partial Regex SafeTarget();

    [GeneratedRegex("^text-align: (left|center|right);$")]
    private static partial Regex Alignment();

    [GeneratedRegex("<(meta|hr|br)(\\s[^>]*?)?(?<!/)>")]
    private static partial Regex HandWrittenVoid();
}
