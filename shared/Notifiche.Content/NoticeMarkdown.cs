using Markdig;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Notifiche.Content;

/// <summary>
/// The content policy of a notice's Markdown, the same for every channel that shows it (the citizen app's inbox, the
/// email): raw HTML is shown as text; links keep only http, https and mailto targets (with <c>rel="noopener noreferrer"</c>),
/// whatever their form — inline, reference, autolink or bare URL — and any other target leaves just the link's text;
/// images become their alt text, so that no remote content (a tracking pixel) tells the sender when the notice was opened,
/// whatever the citizen chose about read receipts. The pipeline has no generic attributes, media embeds or other
/// extensions that write markup of their own.
/// </summary>
public static class NoticeMarkdown
{
    private const string Rel = "noopener noreferrer";
    private static readonly string[] AllowedPrefixes = ["https://", "http://", "mailto:"];
    private static readonly HashSet<string> AllowedSchemes = [Uri.UriSchemeHttp, Uri.UriSchemeHttps, Uri.UriSchemeMailto];

    // Extensions chosen one by one: each of these renders only plain elements (tables, del/ins/sup/sub/mark, links for
    // bare URLs, which the policy below checks like any other link).
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .DisableHtml()
        .Build();

    public static string ToHtml(string markdown) => ApplyPolicy(Markdown.Parse(markdown, Pipeline)).ToHtml(Pipeline);

    /// <summary>The text alone (links and images as their text), for a plain-text part.</summary>
    public static string ToPlainText(string markdown) => Markdown.ToPlainText(markdown, Pipeline);

    private static MarkdownDocument ApplyPolicy(MarkdownDocument document)
    {
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            // A reference link may resolve its target only when rendered: decide on that target and keep it fixed.
            var url = link.GetDynamicUrl?.Invoke() ?? link.Url;
            link.GetDynamicUrl = null;
            if (link.IsImage || !IsAllowed(url))
            {
                Unwrap(link);
            }
            else
            {
                link.Url = url;
                link.GetAttributes().AddPropertyIfNotExist("rel", Rel);
            }
        }

        foreach (var link in document.Descendants<AutolinkInline>().ToList())
        {
            // An email autolink is rendered with "mailto:" in front of its address.
            if (IsAllowed(link.IsEmail ? Uri.UriSchemeMailto + ":" + link.Url : link.Url))
            {
                link.GetAttributes().AddPropertyIfNotExist("rel", Rel);
            }
            else
            {
                link.ReplaceBy(new LiteralInline(link.Url));
            }
        }

        return document;
    }

    /// <summary>
    /// The target must start with an allowed scheme as written (not only as <see cref="Uri"/> reads it: a browser reads
    /// " javascript:" or "//host" differently) and parse as an absolute URL of that scheme, with a host for http(s).
    /// </summary>
    private static bool IsAllowed(string? url) =>
        url is not null
        && AllowedPrefixes.Any(p => url.StartsWith(p, StringComparison.OrdinalIgnoreCase))
        && !url.Any(char.IsControl)
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && AllowedSchemes.Contains(uri.Scheme)
        && (uri.Scheme == Uri.UriSchemeMailto || uri.Host.Length > 0);

    /// <summary>
    /// Keeps the link's text (an image's alt text), drops the link. Children move with <see cref="Inline.InsertAfter"/>:
    /// Markdig's <see cref="Inline.InsertBefore"/> leaves the moved inline without its previous sibling, so that removing it
    /// later (an image inside a refused link) left it in the rendered paragraph whenever text came before it.
    /// </summary>
    private static void Unwrap(LinkInline link)
    {
        Inline anchor = link;
        while (link.FirstChild is { } child)
        {
            child.Remove();
            anchor.InsertAfter(child);
            anchor = child;
        }

        link.Remove();
    }
}
