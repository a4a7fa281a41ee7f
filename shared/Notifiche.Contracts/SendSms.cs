namespace Notifiche.Contracts;

/// <summary>
/// Command to the SMS dispatcher. <see cref="NoticeId"/> + sms channel is its idempotency identity.
/// The SMS carries the subject and a pointer to the inbox, never the full Markdown.
/// </summary>
public record SendSms
{
    public required Guid NoticeId { get; init; }
    public required string ServiceId { get; init; }
    public required string ServiceName { get; init; }
    /// <summary>E.164, e.g. +393471234567.</summary>
    public required string PhoneNumber { get; init; }
    public required string Subject { get; init; }
    public string Language { get; init; } = "it";
    public required DateTimeOffset ExpiresAt { get; init; }
    /// <summary>
    /// The segments reserved for this SMS in the service's monthly budget (<see cref="NoticeSubmitted.SmsSegments"/>): the
    /// dispatcher shortens the text to fit, and sends nothing when it is 0. Null: no budget, the dispatcher's own maximum.
    /// </summary>
    public int? MaxSegments { get; init; }
}
