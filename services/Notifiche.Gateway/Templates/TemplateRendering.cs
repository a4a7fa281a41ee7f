using Notifiche.Gateway.Notices;
using Notifiche.Validation;

namespace Notifiche.Gateway.Templates;

/// <summary>
/// Fills a template with a notice's personalisation. The values are personal data: they are checked and used here,
/// never logged, and only the rendered content is stored (with the notice). Every problem is reported under
/// <c>personalisation.&lt;name&gt;</c>, each missing placeholder by its own name.
/// </summary>
public static class TemplateRendering
{
    /// <returns>The template rendered in every language it has (Italian first); empty when <paramref name="errors"/> got any.</returns>
    public static IReadOnlyList<TemplateText> Render(Template template, IReadOnlyDictionary<string, string>? personalisation, Dictionary<string, string[]> errors)
    {
        var values = personalisation ?? new Dictionary<string, string>();
        var names = TemplateValidator.PlaceholdersOf(template.Contents.Select(c => (c.Subject, c.Markdown)));
        var before = errors.Count;
        foreach (var name in names.Where(n => !values.ContainsKey(n)))
        {
            errors[$"personalisation.{name}"] = ["is required by the template"];
        }

        foreach (var (name, value) in values)
        {
            var field = $"personalisation.{Shown(name)}";
            if (!names.Contains(name))
            {
                errors[field] = ["is not a placeholder of the template"];
            }
            else if (value is null || value.Length > Placeholders.ValueMax)
            {
                errors[field] = [$"must be a string of at most {Placeholders.ValueMax} characters"];
            }
            else if (value.Any(HiddenFormatting.Is))
            {
                errors[field] = ["must not contain control characters (line breaks included) or bidirectional marks and overrides"];
            }
        }

        if (errors.Count > before)
        {
            return [];
        }

        var rendered = template.Contents.OrderBy(c => TemplateValidator.LanguageOrder(c.Language))
            .Select(c => new TemplateText(c.Language, Placeholders.Fill(c.Subject, values, markdown: false), Placeholders.Fill(c.Markdown, values, markdown: true)))
            .ToList();
        foreach (var text in rendered)
        {
            if (text.Subject.Length is < NoticeValidator.SubjectMin or > NoticeValidator.SubjectMax)
            {
                errors["personalisation"] = [$"the {text.Language} subject is {text.Subject.Length} characters once filled in; it must be "
                    + $"{NoticeValidator.SubjectMin} to {NoticeValidator.SubjectMax}"];
            }
            else if (text.Markdown.Length is < NoticeValidator.MarkdownMin or > NoticeValidator.MarkdownMax)
            {
                errors["personalisation"] = [$"the {text.Language} Markdown is {text.Markdown.Length} characters once filled in; it must be "
                    + $"{NoticeValidator.MarkdownMin} to {NoticeValidator.MarkdownMax}"];
            }
        }

        return errors.Count > before ? [] : rendered;
    }

    /// <summary>An unknown key is echoed in the error only when it could be a placeholder name (never a value pasted as a key).</summary>
    private static string Shown(string name) => Placeholders.IsValidName(name) ? name : "(invalid name)";
}
