using System.Text;
using System.Text.RegularExpressions;

namespace Notifiche.Gateway.Templates;

/// <summary>
/// The <c>((name))</c> fields of a template: how they are written, found and filled. Filling is one pass, so a value that
/// itself looks like <c>((other))</c> stays as written. In the Markdown a value is text, never markup: its ASCII
/// punctuation is backslash-escaped, so a value cannot add a link, an image or emphasis the template did not have.
/// </summary>
public static partial class Placeholders
{
    public const string NamePattern = "^[a-z][a-z0-9_]{0,39}$";
    public const int NameMax = 40;
    /// <summary>Distinct placeholders in one template, all its languages together.</summary>
    public const int MaxPerTemplate = 20;
    public const int ValueMax = 500;

    [GeneratedRegex(@"\(\(([^()]*)\)\)")]
    private static partial Regex Field();

    [GeneratedRegex(NamePattern)]
    private static partial Regex Name();

    /// <summary>The names written between <c>((</c> and <c>))</c>, valid or not, in order of appearance.</summary>
    public static IEnumerable<string> In(string text) => Field().Matches(text).Select(m => m.Groups[1].Value);

    public static bool IsValidName(string name) => Name().IsMatch(name);

    /// <param name="markdown">The text is Markdown: values are escaped to stay text.</param>
    public static string Fill(string text, IReadOnlyDictionary<string, string> values, bool markdown) =>
        Field().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var value) ? markdown ? Escape(value) : value : m.Value);

    private static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is ' ' || c > '~' || c < '!')
            {
                escaped.Append(c);
            }
            else
            {
                escaped.Append('\\').Append(c);
            }
        }

        return escaped.ToString();
    }
}
