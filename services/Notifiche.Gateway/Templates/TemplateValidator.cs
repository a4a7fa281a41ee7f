using Notifiche.Gateway.Notices;
using Notifiche.Validation;

namespace Notifiche.Gateway.Templates;

/// <summary>A template's language, subject and Markdown as validated.</summary>
public sealed record TemplateText(string Language, string Subject, string Markdown);

/// <summary>Validates a template; field names in errors are the JSON paths a client sent.</summary>
public static class TemplateValidator
{
    public const int NameMax = 100;

    /// <summary>The languages a template may have, in the order they are shown: Italian, then the bilingual regions', then English.</summary>
    public static readonly IReadOnlyList<string> Languages = ["it", "de", "fr", "sl", "en"];

    public static int LanguageOrder(string language) => Languages.ToList().IndexOf(language);

    public static (string? Name, IReadOnlyList<TemplateText> Texts, Dictionary<string, string[]> Errors) Validate(TemplateRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = [message];

        var name = request.Name?.Trim();
        if (name is not { Length: > 0 and <= NameMax })
        {
            Add("name", $"is required, 1 to {NameMax} characters");
        }
        else if (name.Any(HiddenFormatting.Is))
        {
            Add("name", "must not contain control characters or bidirectional marks and overrides");
        }

        var texts = new List<TemplateText>();
        if (request.Languages is null)
        {
            Add("languages", "is required, with it at least");
            return (null, texts, errors);
        }

        if (request.Languages.It is null)
        {
            Add("languages.it", "is required: Italian is every citizen's fallback");
        }

        foreach (var (language, content) in request.Languages.All())
        {
            if (content is null)
            {
                continue;
            }

            var field = $"languages.{language}";
            var subject = content.Subject?.Trim();
            if (subject is not { Length: > 0 and <= NoticeValidator.SubjectMax })
            {
                Add($"{field}.subject", $"is required, 1 to {NoticeValidator.SubjectMax} characters");
            }
            else if (subject.Any(HiddenFormatting.Is))
            {
                Add($"{field}.subject", "must not contain control characters or bidirectional marks and overrides");
            }
            else
            {
                CheckNames($"{field}.subject", subject, Add);
            }

            var markdown = content.Markdown;
            if (markdown is not { Length: > 0 and <= NoticeValidator.MarkdownMax })
            {
                Add($"{field}.markdown", $"is required, 1 to {NoticeValidator.MarkdownMax} characters");
            }
            else
            {
                CheckNames($"{field}.markdown", markdown, Add);
            }

            if (subject is not null && markdown is not null)
            {
                texts.Add(new TemplateText(language, subject, markdown));
            }
        }

        var placeholders = PlaceholdersOf(texts.Select(t => (t.Subject, t.Markdown)));
        if (placeholders.Count > Placeholders.MaxPerTemplate)
        {
            Add("languages", $"may use at most {Placeholders.MaxPerTemplate} distinct placeholders, all languages together; it uses {placeholders.Count}");
        }

        return errors.Count > 0 ? (null, [], errors) : (name, texts, errors);
    }

    /// <summary>The distinct valid placeholder names of these texts, in order of first appearance.</summary>
    public static IReadOnlyList<string> PlaceholdersOf(IEnumerable<(string Subject, string Markdown)> texts) =>
        [.. texts.SelectMany(t => Placeholders.In(t.Subject).Concat(Placeholders.In(t.Markdown))).Where(Placeholders.IsValidName).Distinct()];

    private static void CheckNames(string field, string text, Action<string, string> add)
    {
        if (Placeholders.In(text).FirstOrDefault(n => !Placeholders.IsValidName(n)) is { } bad)
        {
            add(field, $"((…)) marks a placeholder, and '{bad}' is not a valid name: a lower-case letter, then lower-case letters, "
                + $"digits or _, at most {Placeholders.NameMax} characters");
        }
    }
}
