namespace Notifiche.Contracts;

/// <summary>
/// Routing decided the channel plan for a notice, or rejected it (<see cref="RejectionReason"/> set,
/// <see cref="Channels"/> empty). No personal data.
/// </summary>
public record NoticeRouted
{
    public required Guid NoticeId { get; init; }
    public required IReadOnlyList<string> Channels { get; init; }
    public string? RejectionReason { get; init; }
    /// <summary>Human-readable explanation, e.g. why no channel was planned.</summary>
    public string? Detail { get; init; }
    public required DateTimeOffset RoutedAt { get; init; }
    /// <summary>The citizen allows this service to see when the notice was read (a profile preference, off by default).</summary>
    public bool ReadReceipts { get; init; }
    /// <summary>
    /// Planned channels held back by the citizen's quiet hours, with the time their command is sent (the next allowed
    /// minute); a channel not listed here is sent at once. Empty for email, an urgent notice, or outside quiet hours.
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset> DeferredUntil { get; init; } = new Dictionary<string, DateTimeOffset>();
    /// <summary>
    /// The language of the <see cref="NoticeSubmitted.Variants"/> entry routing sent (the citizen's); null when it sent the
    /// notice's own content.
    /// </summary>
    public string? ContentLanguage { get; init; }
    /// <summary>
    /// Set when routing holds the notice (<see cref="NoticeSubmitted.HoldUntilRegistered"/>, the citizen has no profile yet):
    /// no channel now; routed again (a second <see cref="NoticeRouted"/>) when the profile is created, or reported
    /// <see cref="Expired"/> at this time, the notice's expiry.
    /// </summary>
    public DateTimeOffset? HeldUntil { get; init; }
    /// <summary>
    /// The notice's time to live ended while it was held for a citizen who never registered: no channel, never sent.
    /// </summary>
    public bool Expired { get; init; }
}
