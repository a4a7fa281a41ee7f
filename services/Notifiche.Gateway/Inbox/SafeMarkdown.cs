using Markdig;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Notifiche.Gateway.Inbox;

/// <summary>
/// Renders a notice's Markdown for the citizen app: raw HTML is not rendered (shown as text), only http, https and mailto
/// links are kept (with <c>rel="noopener noreferrer"</c>), and images become their alt text, so that no remote content
/// tells the sender when the notice was opened.
/// </summary>
public static class SafeMarkdown
{
    private const string Rel = "noopener noreferrer";
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().Build();
    private static readonly HashSet<string> AllowedSchemes = [Uri.UriSchemeHttp, Uri.UriSchemeHttps, Uri.UriSchemeMailto];

    public static string ToHtml(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            if (link.IsImage || !IsAllowed(link.Url))
            {
                Unwrap(link);
            }
            else
            {
                link.GetAttributes().AddPropertyIfNotExist("rel", Rel);
            }
        }

        foreach (var link in document.Descendants<AutolinkInline>().ToList())
        {
            if (link.IsEmail || IsAllowed(link.Url))
            {
                link.GetAttributes().AddPropertyIfNotExist("rel", Rel);
            }
            else
            {
                link.ReplaceBy(new LiteralInline(link.Url));
            }
        }

        return document.ToHtml(Pipeline);
    }

    private static bool IsAllowed(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && AllowedSchemes.Contains(uri.Scheme);

    /// <summary>Keeps the link's text, drops the link.</summary>
    private static void Unwrap(LinkInline link)
    {
        while (link.FirstChild is { } child)
        {
            child.Remove();
            link.InsertBefore(child);
        }

        link.Remove();
    }
}
