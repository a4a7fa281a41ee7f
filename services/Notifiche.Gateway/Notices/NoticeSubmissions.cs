using Notifiche.Contracts;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Notices;

/// <summary>The <see cref="NoticeSubmitted"/> routing gets for a stored notice: at acceptance, and again when it is re-driven.</summary>
public static class NoticeSubmissions
{
    /// <param name="allowedChannels">The channels routing may plan: the service's, minus those withheld from this notice.</param>
    public static NoticeSubmitted For(Notice notice, ServiceRecord service, IReadOnlyList<string> allowedChannels) => new()
    {
        NoticeId = notice.Id,
        ServiceId = service.Id,
        ServiceName = service.Name,
        OrganizationName = service.OrganizationName,
        AllowedChannels = allowedChannels,
        FiscalCode = notice.FiscalCode,
        Subject = notice.Subject ?? throw ContentDeleted(notice),
        Markdown = notice.Markdown ?? throw ContentDeleted(notice),
        DueDate = notice.DueDate,
        Category = notice.Category,
        DefaultEmail = notice.DefaultEmail,
        AcceptedAt = notice.AcceptedAt,
        ExpiresAt = notice.ExpiresAt,
        Urgent = notice.Urgent,
        ReminderOf = notice.ReminderOf,
        Sensitive = notice.Sensitive,
    };

    private static InvalidOperationException ContentDeleted(Notice notice) => new($"notice {notice.Id} has no content left to route");
}
