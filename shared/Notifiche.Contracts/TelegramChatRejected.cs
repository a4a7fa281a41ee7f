namespace Notifiche.Contracts;

/// <summary>
/// The Bot API said a chat can no longer be written to (403: the citizen blocked the bot, or deleted the account):
/// Preferences unlinks it from whichever profile holds it. Consumed only by Preferences (the chat id is personal data).
/// </summary>
public record TelegramChatRejected
{
    public required Guid NoticeId { get; init; }
    public required long ChatId { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset RejectedAt { get; init; }
}
