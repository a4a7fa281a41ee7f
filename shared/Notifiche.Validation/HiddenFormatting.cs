namespace Notifiche.Validation;

/// <summary>
/// Characters that change how text looks without being seen: C0 and C1 controls (with DEL) and the bidirectional
/// marks, embeddings, overrides and isolates. An override can make "ovviA" read as "Avviso"; an escape sequence can
/// rewrite a terminal line. The gateway refuses them in subjects; <c>notifiche-dlq</c> prints them escaped.
/// </summary>
public static class HiddenFormatting
{
    public static bool Is(char c) =>
        char.IsControl(c) || c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
