using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Dispatch.Email;
using Notifiche.Dispatch.Email.Composition;

namespace Notifiche.Content.Tests;

/// <summary>
/// Issue 16, point 4: one content policy for every channel. A systematic corpus of hostile Markdown — every link, autolink,
/// image, reference-definition, attribute, embed and raw-HTML form with every dangerous target — each fragment in every
/// position of a paragraph and block, and next to every other fragment in both orders, rendered for the inbox and for the
/// email; the output is read strictly (<see cref="SafeHtml"/>), not searched for known bad strings.
/// </summary>
public class Rendering_hostile_markdown
{
    private static readonly string[] HostileTargets =
    [
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", "javascript&#58;alert(1)", "&#106;avascript:alert(1)", "javascript%3Aalert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "DATA:image/svg+xml,<svg/onload=alert(1)>", "vbscript:msgbox(1)",
        "//evil.example/x", "/\\evil.example/x", "\\\\evil.example\\x", "https:evil.example", "file:///etc/passwd", "ftp://evil.example/x",
        "tel:+390000000", "jar:https://evil.example!/", "java\\script:alert(1)", "javascript://%0Aalert(1)",
    ];

    /// <summary>Targets that may be written between angle brackets only (spaces, tabs).</summary>
    private static readonly string[] BracketedTargets = [" javascript:alert(1)", "java\tscript:alert(1)", "javascript :alert(1)"];

    private static IEnumerable<string> Fragments()
    {
        foreach (var target in HostileTargets)
        {
            yield return $"[clicca]({target})";
            yield return $"[clicca]({target} \"titolo\")";
            yield return $"[clicca](<{target}>)";
            yield return $"![pixel]({target})";
            yield return $"[![pixel](https://tracker.example/p.gif)]({target})";
            yield return $"[clicca][rif]\n\n[rif]: {target}";
            yield return $"[rif][]\n\n[rif]: {target}";
            yield return $"[rif]\n\n[rif]: <{target}> \"titolo\"";
            yield return $"![pixel][img]\n\n[img]: {target}";
        }

        foreach (var target in BracketedTargets)
        {
            yield return $"[clicca](<{target}>)";
            yield return $"[clicca][rif]\n\n[rif]: <{target}>";
        }

        // Autolinks: CommonMark's own, then bare URLs.
        foreach (var target in new[] { "javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd", "jar:x" })
        {
            yield return $"<{target}>";
            yield return $"testo<{target}>testo";
            yield return $"**<{target}>**";
            yield return $"[testo <{target}>](https://example.it)";
        }

        yield return "javascript:alert(1)";
        yield return "www.example.it/javascript:alert(1)";
        yield return "<mailto:a@example.it?body=<script>alert(1)</script>>";

        // Remote images: a tracking pixel, whatever the form.
        yield return "![](https://tracker.example/p.gif)";
        yield return "![pixel](https://tracker.example/p.gif \"titolo\")";
        yield return "![pixel][px]\n\n[px]: https://tracker.example/p.gif";
        yield return "![px]\n\n[px]: https://tracker.example/p.gif";
        yield return "[![pixel](https://tracker.example/p.gif)](https://example.it)";

        // Media embeds.
        yield return "![video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)";
        yield return "![video](https://example.it/v.mp4)";
        yield return "![audio](https://example.it/a.mp3)";

        // Generic attributes.
        yield return "[clicca](https://example.it){onclick=\"alert(1)\"}";
        yield return "testo {onclick=alert(1)}";
        yield return "# titolo {#id .classe onmouseover=\"alert(1)\"}";
        yield return "**forte**{style=\"background:url(https://tracker.example/p.gif)\"}";
        yield return "![pixel](https://tracker.example/p.gif){width=1 height=1}";

        // Raw HTML, inline and as a block.
        yield return "<script>alert(1)</script>";
        yield return "<img src=\"https://tracker.example/p.gif\" onerror=\"alert(1)\">";
        yield return "<a href=\"javascript:alert(1)\">clicca</a>";
        yield return "<iframe src=\"https://evil.example\"></iframe>";
        yield return "<svg onload=alert(1)>";
        yield return "<div onclick=\"alert(1)\">\nblocco\n</div>";
        yield return "<!-- commento --><style>body{background:url(https://tracker.example/p.gif)}</style>";
        yield return "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">";
        yield return "`<script>` e ```<img src=x onerror=alert(1)>```";
        yield return "&lt;script&gt; &#60;img src=x onerror=alert(1)&#62;";
    }

    /// <summary>Where a fragment sits: every position in a paragraph and in every block that holds inline text.</summary>
    private static readonly Func<string, string>[] Positions =
    [
        f => f,
        f => $"Testo prima {f}",
        f => $"{f} testo dopo.",
        f => $"Testo prima {f} testo dopo.",
        f => $"Testo prima{f}testo dopo.",
        f => $"*{f}*",
        f => $"**Importante: {f}**",
        f => $"[sicuro](https://example.it) {f} [sicuro](mailto:asl@example.it)",
        f => $"# {f}",
        f => $"> {f}",
        f => $"- voce\n- {f}\n- voce",
        f => $"1. {f}",
        f => $"| a | b |\n|---|--:|\n| {f} | x |",
        f => $"Riga uno\nriga {f}\nriga tre",
    ];

    public static IEnumerable<TestCaseData> Renderers()
    {
        yield return new TestCaseData("inbox").SetArgDisplayNames("inbox");
        yield return new TestCaseData("email").SetArgDisplayNames("email");
    }

    [TestCaseSource(nameof(Renderers))]
    public void Should_render_no_dangerous_target_remote_image_attribute_or_tag_for_any_fragment_in_any_position(string channel)
    {
        var failures = new List<string>();
        foreach (var fragment in Fragments())
        {
            foreach (var position in Positions)
            {
                Check(channel, position(fragment), failures);
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n\n", failures.Take(20)));
    }

    [TestCaseSource(nameof(Renderers))]
    public void Should_render_no_dangerous_target_remote_image_attribute_or_tag_for_any_two_fragments_in_either_order(string channel)
    {
        var fragments = Fragments().ToList();
        var failures = new List<string>();
        foreach (var first in fragments)
        {
            foreach (var second in fragments)
            {
                Check(channel, $"{first} e {second}", failures);
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n\n", failures.Take(20)));
    }

    [TestCaseSource(nameof(Renderers))]
    public void Should_keep_safe_links_emphasis_and_the_text_of_refused_links(string channel)
    {
        const string markdown = "Il tuo **referto** è pronto: [apri](https://example.it/referto), [scrivici](mailto:asl@example.it), "
            + "<https://example.it/auto>, [trappola](javascript:alert(1)), ![pixel](https://tracker.example/p.gif) e <script>alert(2)</script>.";

        var html = Render(channel, markdown);

        Assert.Multiple(() =>
        {
            Assert.That(SafeHtml.Problems(html, channel == "email"), Is.Empty, html);
            Assert.That(html, Does.Contain("<strong>referto</strong>"));
            Assert.That(html, Does.Contain("<a href=\"https://example.it/referto\" rel=\"noopener noreferrer\">apri</a>"));
            Assert.That(html, Does.Contain("<a href=\"mailto:asl@example.it\" rel=\"noopener noreferrer\">scrivici</a>"));
            Assert.That(html, Does.Contain("<a href=\"https://example.it/auto\" rel=\"noopener noreferrer\">https://example.it/auto</a>"));
            Assert.That(html, Does.Contain("trappola"), "a refused link keeps its text");
            Assert.That(html, Does.Contain("pixel"), "an image becomes its alt text");
            Assert.That(html, Does.Contain("&lt;script&gt;alert(2)&lt;/script&gt;"), "raw HTML is shown as text");
        });
    }

    private static void Check(string channel, string markdown, List<string> failures)
    {
        var html = Render(channel, markdown);
        var problems = SafeHtml.Problems(html, channel == "email");
        if (problems.Count > 0)
        {
            failures.Add($"{string.Join("; ", problems)}\n  markdown: {markdown.Replace("\n", "\\n", StringComparison.Ordinal)}");
        }
    }

    private static string Render(string channel, string markdown) => channel switch
    {
        "inbox" => NoticeMarkdown.ToHtml(markdown),
        _ => Composer.Compose(new SendEmail
        {
            NoticeId = Guid.NewGuid(), To = "cittadino@example.it", Subject = "Avviso di prova", Markdown = markdown,
            ServiceName = "Anagrafe", OrganizationName = "Comune di Prova", ExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
        }).HtmlBody ?? string.Empty,
    };

    private static readonly EmailComposer Composer = new(Options.Create(new EmailOptions()));
}
