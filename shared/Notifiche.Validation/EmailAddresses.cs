using MimeKit;

namespace Notifiche.Validation;

public static class EmailAddresses
{
    /// <summary>A bare addr-spec (no display name, no route) that MimeKit parses, with a dotted domain.</summary>
    public static bool IsValid(string value)
    {
        if (value.Length > 254 || value.Any(char.IsWhiteSpace)
            || !MailboxAddress.TryParse(ParserOptions.Default, value, out var mailbox)
            || !string.IsNullOrEmpty(mailbox.Name) || mailbox.Route.Count > 0
            || !string.Equals(mailbox.Address, value, StringComparison.Ordinal))
        {
            return false;
        }

        var at = value.LastIndexOf('@');
        var domain = value[(at + 1)..];
        return at > 0 && domain.Contains('.') && !domain.StartsWith('.') && !domain.EndsWith('.');
    }
}
