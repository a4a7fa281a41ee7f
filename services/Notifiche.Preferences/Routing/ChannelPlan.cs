using Notifiche.Contracts;
using Notifiche.Preferences.Data;

namespace Notifiche.Preferences.Routing;

/// <summary>The routing decision for one notice: the channels with their addresses, or why none.</summary>
public sealed record ChannelPlan
{
    public IReadOnlyList<string> Channels { get; init; } = [];
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public IReadOnlyList<string> PushTokens { get; init; } = [];
    public long? TelegramChatId { get; init; }
    public string Language { get; init; } = Languages.Italian;
    /// <summary>Set when the notice is rejected (not kept in the inbox).</summary>
    public string? RejectionReason { get; init; }
    /// <summary>Why a channel the citizen might expect was not planned.</summary>
    public string? Detail { get; init; }
    /// <summary>The citizen allows this service read receipts (off without a profile).</summary>
    public bool ReadReceipts { get; init; }
    /// <summary>
    /// The channels carry only "a notice is waiting in your inbox": the service marked the notice sensitive, or the citizen
    /// asked for it for every notice (<see cref="Profile.ContentOnlyInInbox"/>).
    /// </summary>
    public bool ContentOnlyInInbox { get; init; }

    /// <summary>
    /// DESIGN §6: with a profile, channels = enabled by the citizen ∩ allowed for the service ∩ with a usable address,
    /// unless the citizen blocked the service; without one, the service's default email, else the citizen is unknown.
    /// </summary>
    public static ChannelPlan For(NoticeSubmitted notice, Profile? profile)
    {
        bool Allowed(string channel) => notice.AllowedChannels.Contains(channel);

        if (profile is null)
        {
            return notice.DefaultEmail is null
                ? new() { RejectionReason = RejectionReasons.UserNotFound, Detail = "The citizen has no profile and the notice carries no default address." }
                // Withheld for an escalation step or not, the default address is the only way to reach a citizen the platform does not know.
                : Allowed(Contracts.Channels.Email) || notice.EscalationWithheld.Contains(Contracts.Channels.Email)
                    ? new() { Channels = [Contracts.Channels.Email], Email = notice.DefaultEmail, ContentOnlyInInbox = notice.Sensitive }
                    : new() { RejectionReason = RejectionReasons.NoChannel, Detail = "The service may not use email, the only address known for this citizen." };
        }

        if (profile.BlockedServices.Contains(notice.ServiceId))
        {
            return new() { RejectionReason = RejectionReasons.ServiceBlocked, Detail = "The citizen blocked this service.", Language = profile.Language };
        }

        var channels = new List<string>();
        if (profile.EmailEnabled && Allowed(Contracts.Channels.Email) && profile.Email is not null && profile.EmailVerified)
        {
            channels.Add(Contracts.Channels.Email);
        }

        if (profile.SmsEnabled && Allowed(Contracts.Channels.Sms) && profile.Phone is not null)
        {
            channels.Add(Contracts.Channels.Sms);
        }

        if (profile.PushEnabled && Allowed(Contracts.Channels.Push) && profile.PushTokens.Count > 0)
        {
            channels.Add(Contracts.Channels.Push);
        }

        if (profile.TelegramEnabled && Allowed(Contracts.Channels.Telegram) && profile.TelegramChatId is not null)
        {
            channels.Add(Contracts.Channels.Telegram);
        }

        return new()
        {
            Channels = channels,
            Email = channels.Contains(Contracts.Channels.Email) ? profile.Email : null,
            Phone = channels.Contains(Contracts.Channels.Sms) ? profile.Phone : null,
            PushTokens = channels.Contains(Contracts.Channels.Push) ? profile.PushTokens : [],
            TelegramChatId = channels.Contains(Contracts.Channels.Telegram) ? profile.TelegramChatId : null,
            Language = profile.Language,
            ReadReceipts = profile.ReadReceiptServices.Contains(notice.ServiceId),
            ContentOnlyInInbox = notice.Sensitive || profile.ContentOnlyInInbox,
            Detail = channels.Count == 0
                ? "No usable channel: the citizen's enabled channels, their verified addresses and the service's allowed channels do not meet. The notice stays in the inbox."
                : null,
        };
    }
}
