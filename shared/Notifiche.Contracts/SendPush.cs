namespace Notifiche.Contracts;

/// <summary>
/// Command to the push dispatcher: one notification per device token of the citizen.
/// <see cref="NoticeId"/> + push channel is its idempotency identity.
/// </summary>
public record SendPush
{
    public required Guid NoticeId { get; init; }
    public required string ServiceId { get; init; }
    public required string ServiceName { get; init; }
    public required IReadOnlyList<string> DeviceTokens { get; init; }
    public required string Subject { get; init; }
    /// <summary>When true the push shows only the service name, not the subject (the service's privacy choice).</summary>
    public bool Anonymous { get; init; }
    /// <summary>
    /// The inbox entry the push opens when it is not <see cref="NoticeId"/>: a due-date reminder opens the notice it reminds of.
    /// </summary>
    public Guid? InboxNoticeId { get; init; }
    public string Language { get; init; } = "it";
    public required DateTimeOffset ExpiresAt { get; init; }
}
