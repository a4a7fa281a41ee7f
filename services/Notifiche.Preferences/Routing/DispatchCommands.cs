using Notifiche.Contracts;

namespace Notifiche.Preferences.Routing;

/// <summary>The command that tells one channel's dispatcher to notify the citizen.</summary>
public static class DispatchCommands
{
    public static object For(string channel, NoticeSubmitted notice, ChannelPlan plan)
    {
        var content = NotifiedContent.For(notice, plan);
        return channel switch
        {
            Channels.Email => new SendEmail
            {
                NoticeId = notice.NoticeId, To = plan.Email!, Subject = content.Subject, Markdown = content.Markdown,
                ServiceName = notice.ServiceName, OrganizationName = notice.OrganizationName, DueDate = content.DueDate,
                Language = plan.Language, ExpiresAt = notice.ExpiresAt,
            },
            Channels.Sms => new SendSms
            {
                NoticeId = notice.NoticeId, ServiceId = notice.ServiceId, ServiceName = notice.ServiceName, PhoneNumber = plan.Phone!,
                Subject = content.Subject, Language = plan.Language, ExpiresAt = notice.ExpiresAt, MaxSegments = notice.SmsSegments,
            },
            Channels.Push => new SendPush
            {
                NoticeId = notice.NoticeId, ServiceId = notice.ServiceId, ServiceName = notice.ServiceName, DeviceTokens = plan.PushTokens,
                Subject = content.Subject, Anonymous = content.Anonymous, InboxNoticeId = notice.ReminderOf ?? notice.EscalationOf, Language = plan.Language,
                ExpiresAt = notice.ExpiresAt,
            },
            Channels.Telegram => new SendTelegram
            {
                NoticeId = notice.NoticeId, ServiceId = notice.ServiceId, ServiceName = notice.ServiceName, ChatId = plan.TelegramChatId!.Value,
                Subject = content.Subject, Language = plan.Language, ExpiresAt = notice.ExpiresAt,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "no dispatcher for this channel"),
        };
    }
}
