using Notifiche.Contracts;

namespace Notifiche.Preferences.Routing;

/// <summary>The routing decision for one notice: the channels to notify on, or why none.</summary>
public sealed record ChannelPlan(IReadOnlyList<string> Channels, string? RejectionReason, string? Detail)
{
    /// <summary>
    /// DESIGN §6 without profiles yet: the service's default email when the service may use email,
    /// otherwise the citizen is unknown to the platform.
    /// </summary>
    public static ChannelPlan For(NoticeSubmitted notice)
    {
        if (notice.DefaultEmail is null)
        {
            return new([], RejectionReasons.UserNotFound, "The citizen has no profile and the notice carries no default address.");
        }

        return notice.AllowedChannels.Contains(Contracts.Channels.Email)
            ? new([Contracts.Channels.Email], null, null)
            : new([], RejectionReasons.NoChannel, "The service may not use email, the only address known for this citizen.");
    }
}
