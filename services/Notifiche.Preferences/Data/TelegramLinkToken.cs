namespace Notifiche.Preferences.Data;

/// <summary>
/// A one-time token that links a Telegram chat to a profile (<c>https://t.me/&lt;bot&gt;?start=&lt;token&gt;</c>). Only its
/// SHA-256 is stored; it is deleted when used, when its profile is erased, and once expired.
/// </summary>
public class TelegramLinkToken
{
    /// <summary>Lower-case hex SHA-256 of the token.</summary>
    public required string TokenHash { get; set; }
    public required string FiscalCode { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
