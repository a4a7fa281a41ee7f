namespace Notifiche.Contracts;

/// <summary>
/// Reply to a <see cref="SubmitNotice"/> that was not accepted; nothing was stored. <see cref="Errors"/> names the
/// invalid members (as in the message, camelCase) with the same messages the HTTP API gives.
/// </summary>
public record NoticeSubmissionRejected
{
    public string? SubmissionId { get; init; }
    public required string ServiceId { get; init; }
    /// <summary>
    /// One of <see cref="SubmissionRejections"/>, or a governance refusal the HTTP API answers with 403/429
    /// (<c>SERVICE_SUSPENDED</c>, <c>SANDBOX_RECIPIENT_NOT_ALLOWED</c>, <c>SANDBOX_DEFAULT_ADDRESS_NOT_ALLOWED</c>, <c>DAILY_QUOTA_REACHED</c>).
    /// </summary>
    public required string Reason { get; init; }
    public required string Detail { get; init; }
    public IReadOnlyDictionary<string, string[]> Errors { get; init; } = new Dictionary<string, string[]>();
    public required DateTimeOffset RejectedAt { get; init; }
}

/// <summary>Why a broker submission was rejected.</summary>
public static class SubmissionRejections
{
    /// <summary>The message failed validation; see the errors.</summary>
    public const string InvalidNotice = "INVALID_NOTICE";
    /// <summary>The message claims a service other than the broker user that published it.</summary>
    public const string ServiceMismatch = "SERVICE_MISMATCH";
    /// <summary>The broker user is not a registered service.</summary>
    public const string UnknownService = "UNKNOWN_SERVICE";
    /// <summary>The idempotency key was already used for a different notice.</summary>
    public const string IdempotencyKeyConflict = "IDEMPOTENCY_KEY_CONFLICT";
}
