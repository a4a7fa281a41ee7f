using Notifiche.Preferences.Data;

namespace Notifiche.Preferences.Profiles;

/// <summary>Body of <c>PUT /api/v1/profiles/{fiscal_code}</c>: the whole profile (create or replace).</summary>
public sealed record ProfileRequest
{
    public string? Email { get; init; }
    public bool EmailVerified { get; init; }
    /// <summary>Mobile number; Italian numbers may be written without +39.</summary>
    public string? Phone { get; init; }
    public List<string>? PushTokens { get; init; }
    public string? Language { get; init; }
    public ChannelSwitches? Channels { get; init; }
    public List<string>? BlockedServices { get; init; }
    /// <summary>Services allowed to see when the citizen read their notices; empty (the default) allows none.</summary>
    public List<string>? ReadReceiptServices { get; init; }
    /// <summary>
    /// The citizen's quiet hours, <c>{"from": "22:00", "to": "07:30"}</c> (HH:mm in <see cref="TimeZone"/>): SMS, push and
    /// Telegram wait until they end. Absent or null: the platform's (21:00–08:00 by default); equal times: none.
    /// </summary>
    public QuietHoursRequest? QuietHours { get; init; }
    /// <summary>IANA time zone of the quiet hours, e.g. <c>Europe/Rome</c>; absent: the platform's.</summary>
    public string? TimeZone { get; init; }
    /// <summary>
    /// True: every notice reaches the citizen's channels as a sensitive one does — only "a new notice from &lt;administration&gt;
    /// is waiting in your inbox", never its subject or content. Default false.
    /// </summary>
    public bool ContentOnlyInInbox { get; init; }
}

/// <summary>Quiet hours as the API writes them: wall-clock times, HH:mm, 24-hour; across midnight when from is later than to.</summary>
public sealed record QuietHoursRequest(string? From, string? To);

/// <summary>Which channels the citizen wants; all on when not given.</summary>
public sealed record ChannelSwitches(bool Email = true, bool Sms = true, bool Push = true, bool Telegram = true);

/// <summary>The stored profile as the app backend (and the citizen's data export) sees it.</summary>
public sealed record ProfileResponse(
    string FiscalCode, string? Email, bool EmailVerified, string? Phone, IReadOnlyList<string> PushTokens, string Language,
    ChannelSwitches Channels, IReadOnlyList<string> BlockedServices, DateTimeOffset UpdatedAt, IReadOnlyList<string> ReadReceiptServices,
    long? TelegramChatId)
{
    /// <summary>The citizen's own quiet hours; null: the platform's apply.</summary>
    public QuietHoursRequest? QuietHours { get; init; }
    /// <summary>The citizen's time zone; null: the platform's.</summary>
    public string? TimeZone { get; init; }
    /// <summary>Every notice's channels say only that it is waiting in the inbox (no subject, no content).</summary>
    public bool ContentOnlyInInbox { get; init; }

    public static ProfileResponse From(Profile p) => new(p.FiscalCode, p.Email, p.EmailVerified, p.Phone, p.PushTokens, p.Language,
        new ChannelSwitches(p.EmailEnabled, p.SmsEnabled, p.PushEnabled, p.TelegramEnabled), p.BlockedServices, p.UpdatedAt, p.ReadReceiptServices,
        p.TelegramChatId)
    {
        QuietHours = p is { QuietHoursFrom: { } from, QuietHoursTo: { } to }
            ? new QuietHoursRequest(Deferral.QuietHours.Format(from), Deferral.QuietHours.Format(to))
            : null,
        TimeZone = p.TimeZone,
        ContentOnlyInInbox = p.ContentOnlyInInbox,
    };
}
