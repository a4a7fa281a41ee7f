using System.Text.RegularExpressions;

namespace Notifiche.Dlq;

/// <summary>
/// Defence in depth for the free text the tool prints (fault reasons): our dispatchers write codes only, but an
/// exception from a library may quote an address, a phone number or a codice fiscale. Those are masked, and the text
/// is cut short.
/// </summary>
public static partial class Redaction
{
    public const int ReasonLength = 120;

    public static string Redact(string text)
    {
        text = Email().Replace(text, "<email>");
        text = FiscalCode().Replace(text, "<codice-fiscale>");
        return Phone().Replace(text, "<phone>");
    }

    public static string Truncate(string text, int length = ReasonLength)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= length ? line : string.Concat(line.AsSpan(0, length - 1), "…");
    }

    [GeneratedRegex(@"[^\s<>()\[\]""',;:]+@[^\s<>()\[\]""',;:]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    // Omocodia replaces digits with the letters LMNPQRSTUV, hence the classes.
    [GeneratedRegex(@"\b[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]\b")]
    private static partial Regex FiscalCode();

    // Eight digits or more (optionally +, spaces inside), not part of an id (GUID groups are bounded by '-').
    [GeneratedRegex(@"(?<![\w-])\+?\d[\d ]{6,}\d(?![\w-])")]
    private static partial Regex Phone();
}
