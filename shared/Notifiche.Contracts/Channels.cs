namespace Notifiche.Contracts;

/// <summary>The channels a notice can be notified on; values travel as these lower-case strings.</summary>
public static class Channels
{
    public const string Email = "email";
    public const string Sms = "sms";
    public const string Push = "push";
    /// <summary>Instant messaging: a Telegram chat the citizen linked to the platform's bot.</summary>
    public const string Telegram = "telegram";

    public static readonly IReadOnlyList<string> All = [Email, Sms, Push, Telegram];
}

/// <summary>Why a notice was rejected by routing (DESIGN §5).</summary>
public static class RejectionReasons
{
    public const string UserNotFound = "USER_NOT_FOUND";
    public const string ServiceBlocked = "SERVICE_BLOCKED";
    public const string NoChannel = "NO_CHANNEL";
    public const string Expired = "EXPIRED";
}
