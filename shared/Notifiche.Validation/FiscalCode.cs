namespace Notifiche.Validation;

/// <summary>
/// The Italian codice fiscale of a person: 16 characters, format and check character as in DM 23/12/1976,
/// with omocodia (digits replaced by L M N P Q R S T U V in positions 7, 8, 10, 11, 13, 14, 15).
/// Not available in a maintained .NET library, hence written here.
/// </summary>
public static class FiscalCode
{
    public const int Length = 16;

    private const string OmocodeLetters = "LMNPQRSTUV";
    private const string MonthLetters = "ABCDEHLMPRST";
    private static readonly int[] DigitPositions = [6, 7, 9, 10, 12, 13, 14];

    // Value of a character in an odd (1-based) position, for 0-9 and A-Z.
    private static readonly int[] OddDigitValues = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
    private static readonly int[] OddLetterValues =
        [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

    /// <summary>Upper-cases and trims, then checks format and check character.</summary>
    /// <returns>null when valid (with <paramref name="normalized"/> set), else why it is not.</returns>
    public static string? Validate(string? input, out string normalized)
    {
        normalized = (input ?? string.Empty).Trim().ToUpperInvariant();
        if (normalized.Length != Length)
        {
            return $"must be {Length} characters (a codice fiscale), got {normalized.Length}";
        }

        for (var i = 0; i < Length; i++)
        {
            var c = normalized[i];
            var expectDigit = Array.IndexOf(DigitPositions, i) >= 0;
            var ok = expectDigit ? char.IsAsciiDigit(c) || OmocodeLetters.Contains(c) : char.IsAsciiLetterUpper(c);
            if (!ok)
            {
                return $"has an invalid character at position {i + 1}";
            }
        }

        if (!MonthLetters.Contains(normalized[8]))
        {
            return "has an invalid month letter at position 9";
        }

        var day = Decode(normalized[9]) * 10 + Decode(normalized[10]);
        if (day is < 1 or > 31 and < 41 or > 71)
        {
            return "has an invalid birth day at positions 10-11";
        }

        return CheckCharacter(normalized.AsSpan(0, Length - 1)) == normalized[Length - 1]
            ? null
            : "has a wrong check character";
    }

    /// <summary>The check character for the first 15 characters.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first15)
    {
        var sum = 0;
        for (var i = 0; i < first15.Length; i++)
        {
            var c = first15[i];
            var isOddPosition = i % 2 == 0; // positions are counted from 1
            if (char.IsAsciiDigit(c))
            {
                sum += isOddPosition ? OddDigitValues[c - '0'] : c - '0';
            }
            else
            {
                sum += isOddPosition ? OddLetterValues[c - 'A'] : c - 'A';
            }
        }

        return (char)('A' + sum % 26);
    }

    private static int Decode(char c) => char.IsAsciiDigit(c) ? c - '0' : OmocodeLetters.IndexOf(c);
}
