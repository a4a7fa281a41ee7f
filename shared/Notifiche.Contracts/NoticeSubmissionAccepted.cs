namespace Notifiche.Contracts;

/// <summary>Reply to a <see cref="SubmitNotice"/>: the notice is durably stored (or was, for a retry with the same idempotency key).</summary>
public record NoticeSubmissionAccepted
{
    public string? SubmissionId { get; init; }
    public required string ServiceId { get; init; }
    public required Guid NoticeId { get; init; }
    /// <summary>True when this answers a retry with an idempotency key already used for the same notice.</summary>
    public bool Replayed { get; init; }
    public required DateTimeOffset AcceptedAt { get; init; }
}
