using Notifiche.Contracts;

namespace Notifiche.Preferences.Routing;

/// <summary>
/// Which content a citizen gets: a notice from a template carries every language the template has, already rendered and
/// hashed by the gateway (<see cref="NoticeSubmitted.Variants"/>); the citizen's profile language picks one, and the
/// notice's own (Italian) content is the fallback.
/// </summary>
public static class ContentLanguage
{
    /// <returns>The notice as it is sent to this citizen, and the variant's language (null: the notice's own content).</returns>
    public static (NoticeSubmitted Notice, string? Language) For(NoticeSubmitted notice, string language) =>
        notice.Variants.FirstOrDefault(v => v.Language == language) is { } variant
            ? (notice with { Subject = variant.Subject, Markdown = variant.Markdown, Variants = [] }, variant.Language)
            : (notice, null);
}
