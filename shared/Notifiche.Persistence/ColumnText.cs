namespace Notifiche.Persistence;

/// <summary>
/// Text from outside (a provider's message, an exception) cut to the length of the column that stores it: the one cut
/// every writer of such text uses (the gateway's channel status and audit trail, the dispatchers' ledger).
/// </summary>
public static class ColumnText
{
    public static string? Cut(string? text, int maxLength)
    {
        if (text is null || text.Length <= maxLength)
        {
            return text;
        }

        // Never keep half of a surrogate pair: PostgreSQL refuses the invalid UTF-16 it would become.
        var length = char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength;
        return text[..length];
    }
}
