using Notifiche.Contracts;

namespace Notifiche.Preferences.Data;

/// <summary>A citizen's contact data and choices, keyed by codice fiscale. Deleting it erases them.</summary>
public class Profile
{
    public required string FiscalCode { get; set; }
    public string? Email { get; set; }
    /// <summary>Only a verified email is used: the app backend confirms the citizen owns it.</summary>
    public bool EmailVerified { get; set; }
    /// <summary>E.164.</summary>
    public string? Phone { get; set; }
    public List<string> PushTokens { get; set; } = [];
    public string Language { get; set; } = Languages.Italian;
    public bool EmailEnabled { get; set; } = true;
    public bool SmsEnabled { get; set; } = true;
    public bool PushEnabled { get; set; } = true;
    /// <summary>The Telegram chat linked through the bot (<c>/start &lt;link token&gt;</c>); never set by the profiles API.</summary>
    public long? TelegramChatId { get; set; }
    public bool TelegramEnabled { get; set; } = true;
    /// <summary>Ids of services the citizen does not want to hear from.</summary>
    public List<string> BlockedServices { get; set; } = [];
    /// <summary>Ids of services the citizen lets see when a notice was read (read receipts); none by default.</summary>
    public List<string> ReadReceiptServices { get; set; } = [];
    /// <summary>
    /// The citizen's own quiet hours (<c>HH:mm</c> wall-clock times in <see cref="TimeZone"/>): SMS, push and Telegram wait
    /// until they end. Both null: the platform's (<c>Preferences:QuietHours</c>, 21:00–08:00 by default); equal: none.
    /// </summary>
    public TimeOnly? QuietHoursFrom { get; set; }
    public TimeOnly? QuietHoursTo { get; set; }
    /// <summary>IANA time zone of the citizen's quiet hours (e.g. <c>Europe/Rome</c>); null: the platform's.</summary>
    public string? TimeZone { get; set; }
    /// <summary>
    /// The citizen wants every notice treated as sensitive: email, SMS, push and Telegram say only that a notice from the
    /// administration is waiting in the inbox, never its subject or content (issue 17, point 7).
    /// </summary>
    public bool ContentOnlyInInbox { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
