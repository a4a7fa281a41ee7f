namespace Notifiche.Validation;

/// <summary>
/// The numeric codice fiscale of an Italian organisation (a Comune, a Regione, an ASL; also a company's partita IVA):
/// 11 digits, the last a check digit (DM 23/12/1976): digits in odd positions are summed as they are, digits in even
/// positions doubled (minus 9 when over 9); the check digit brings the sum to a multiple of 10.
/// </summary>
public static class OrganizationFiscalCode
{
    public const int Length = 11;

    /// <summary>Trims (spaces inside are refused), then checks length, digits and check digit.</summary>
    /// <returns>null when valid (with <paramref name="normalized"/> set), else why it is not.</returns>
    public static string? Validate(string? input, out string normalized)
    {
        normalized = (input ?? string.Empty).Trim();
        if (normalized.Length != Length || !normalized.All(char.IsAsciiDigit))
        {
            return $"must be {Length} digits (the organisation's numeric codice fiscale)";
        }

        return CheckDigit(normalized.AsSpan(0, Length - 1)) == normalized[Length - 1] ? null : "has a wrong check digit";
    }

    /// <summary>The check digit for the first 10 digits.</summary>
    public static char CheckDigit(ReadOnlySpan<char> first10)
    {
        var sum = 0;
        for (var i = 0; i < first10.Length; i++)
        {
            var digit = first10[i] - '0';
            // Positions are counted from 1: index 1, 3, 5... are the even positions.
            sum += i % 2 == 0 ? digit : digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
        }

        return (char)('0' + (10 - sum % 10) % 10);
    }
}
