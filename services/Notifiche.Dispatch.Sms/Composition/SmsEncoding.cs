namespace Notifiche.Dispatch.Sms.Composition;

public enum SmsAlphabet
{
    /// <summary>GSM 03.38 default alphabet, 7 bits a character: 160 per single SMS, 153 per part of a long one.</summary>
    Gsm7,
    /// <summary>UTF-16 code units (UCS-2 on the wire): 70 per single SMS, 67 per part.</summary>
    Ucs2,
}

/// <summary>How a text travels as SMS: its alphabet, length in that alphabet's units and billed segments.</summary>
public readonly record struct SmsEncoding(SmsAlphabet Alphabet, int Units, int Segments)
{
    // GSM 03.38 basic character table (the 128 characters of the default alphabet; 0x1B, the escape, is left out).
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
        + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    // Extension table: each is sent as escape + character, so it takes two septets.
    private const string Extension = "\f^{}\\[~]|€";

    private static readonly HashSet<char> BasicSet = [.. Basic];
    private static readonly HashSet<char> ExtensionSet = [.. Extension];

    public static SmsEncoding Of(string text) =>
        text.All(c => BasicSet.Contains(c) || ExtensionSet.Contains(c)) ? Gsm7(text) : Ucs2(text);

    private static SmsEncoding Gsm7(string text)
    {
        var units = text.Sum(c => ExtensionSet.Contains(c) ? 2 : 1);
        if (units <= 160)
        {
            return new(SmsAlphabet.Gsm7, units, units == 0 ? 0 : 1);
        }

        // Parts of a long SMS hold 153 septets and an escape sequence is never split between two parts.
        return new(SmsAlphabet.Gsm7, units, CountParts(text.Select(c => ExtensionSet.Contains(c) ? 2 : 1), 153));
    }

    private static SmsEncoding Ucs2(string text)
    {
        if (text.Length <= 70)
        {
            return new(SmsAlphabet.Ucs2, text.Length, 1);
        }

        // Parts hold 67 code units and a surrogate pair (e.g. an emoji) is never split between two parts.
        var widths = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var pair = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            widths.Add(pair ? 2 : 1);
            i += pair ? 1 : 0;
        }

        return new(SmsAlphabet.Ucs2, text.Length, CountParts(widths, 67));
    }

    private static int CountParts(IEnumerable<int> widths, int capacity)
    {
        int parts = 1, used = 0;
        foreach (var width in widths)
        {
            if (used + width > capacity)
            {
                parts++;
                used = 0;
            }

            used += width;
        }

        return parts;
    }
}
