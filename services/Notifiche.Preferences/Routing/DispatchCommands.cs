using Notifiche.Contracts;

namespace Notifiche.Preferences.Routing;

/// <summary>The command that tells one channel's dispatcher to notify the citizen.</summary>
public static class DispatchCommands
{
    public static object For(string channel, NoticeSubmitted notice, ChannelPlan plan) => channel switch
    {
        Channels.Email => new SendEmail
        {
            NoticeId = notice.NoticeId, To = plan.Email!, Subject = notice.Subject, Markdown = notice.Markdown,
            ServiceName = notice.ServiceName, OrganizationName = notice.OrganizationName, DueDate = notice.DueDate,
            Language = plan.Language, ExpiresAt = notice.ExpiresAt,
        },
        Channels.Sms => new SendSms
        {
            NoticeId = notice.NoticeId, ServiceId = notice.ServiceId, ServiceName = notice.ServiceName, PhoneNumber = plan.Phone!,
            Subject = notice.Subject, Language = plan.Language, ExpiresAt = notice.ExpiresAt, MaxSegments = notice.SmsSegments,
        },
        Channels.Push => new SendPush
        {
            NoticeId = notice.NoticeId, ServiceId = notice.ServiceId, ServiceName = notice.ServiceName, DeviceTokens = plan.PushTokens,
            Subject = notice.Subject, Language = plan.Language, ExpiresAt = notice.ExpiresAt,
        },
        Channels.Telegram => new SendTelegram
        {
            NoticeId = notice.NoticeId, ServiceId = notice.ServiceId, ServiceName = notice.ServiceName, ChatId = plan.TelegramChatId!.Value,
            Subject = notice.Subject, Language = plan.Language, ExpiresAt = notice.ExpiresAt,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "no dispatcher for this channel"),
    };
}
