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
}

/// <summary>Which channels the citizen wants; all on when not given.</summary>
public sealed record ChannelSwitches(bool Email = true, bool Sms = true, bool Push = true, bool Telegram = true);

/// <summary>The stored profile as the app backend (and the citizen's data export) sees it.</summary>
public sealed record ProfileResponse(
    string FiscalCode, string? Email, bool EmailVerified, string? Phone, IReadOnlyList<string> PushTokens, string Language,
    ChannelSwitches Channels, IReadOnlyList<string> BlockedServices, DateTimeOffset UpdatedAt, IReadOnlyList<string> ReadReceiptServices,
    long? TelegramChatId)
{
    public static ProfileResponse From(Profile p) => new(p.FiscalCode, p.Email, p.EmailVerified, p.Phone, p.PushTokens, p.Language,
        new ChannelSwitches(p.EmailEnabled, p.SmsEnabled, p.PushEnabled, p.TelegramEnabled), p.BlockedServices, p.UpdatedAt, p.ReadReceiptServices,
        p.TelegramChatId);
}
