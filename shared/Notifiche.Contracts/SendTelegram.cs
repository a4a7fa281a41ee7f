namespace Notifiche.Contracts;

/// <summary>
/// Command to the Telegram dispatcher: one message to the chat the citizen linked to the platform's bot.
/// <see cref="NoticeId"/> + telegram channel is its idempotency identity. Like an SMS it carries the subject and a
/// pointer to the inbox, never the full Markdown.
/// </summary>
public record SendTelegram
{
    public required Guid NoticeId { get; init; }
    public required string ServiceId { get; init; }
    public required string ServiceName { get; init; }
    /// <summary>The Telegram chat id (a private chat's id is the user's id).</summary>
    public required long ChatId { get; init; }
    public required string Subject { get; init; }
    public string Language { get; init; } = "it";
    public required DateTimeOffset ExpiresAt { get; init; }
}
