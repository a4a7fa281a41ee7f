namespace Notifiche.Contracts;

/// <summary>Command to the email dispatcher. <see cref="NoticeId"/> + email channel is its idempotency identity.</summary>
public record SendEmail
{
    public required Guid NoticeId { get; init; }
    public required string To { get; init; }
    public required string Subject { get; init; }
    public required string Markdown { get; init; }
    public required string ServiceName { get; init; }
    public required string OrganizationName { get; init; }
    public DateOnly? DueDate { get; init; }
    public string Language { get; init; } = "it";
    public required DateTimeOffset ExpiresAt { get; init; }
}
