using Notifiche.Contracts;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Notices;

/// <summary>The <see cref="NoticeSubmitted"/> routing gets for a stored notice: at acceptance, and again when it is re-driven.</summary>
public static class NoticeSubmissions
{
    /// <param name="allowedChannels">The channels routing may plan: the service's, minus those withheld from this notice.</param>
    /// <param name="variants">A template notice's other languages (read apart by the re-drive, which keeps its notices tracked).</param>
    /// <param name="omissions">The notice's omissions: those for an escalation step travel as <see cref="NoticeSubmitted.EscalationWithheld"/>.</param>
    public static NoticeSubmitted For(Notice notice, ServiceRecord service, IReadOnlyList<string> allowedChannels, IEnumerable<NoticeVariant> variants,
        IEnumerable<NoticeOmission>? omissions = null) => new()
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
        // Under a monthly SMS budget the SMS may spend only what the notice still has reserved (none once settled).
        SmsSegments = service.MonthlySmsSegmentBudget is null && service.MonthlySmsEuroBudget is null ? null : notice.SmsReservedSegments ?? 0,
        Variants = [.. variants.Select(v => new ContentVariant
        {
            Language = v.Language, Subject = v.Subject ?? throw ContentDeleted(notice), Markdown = v.Markdown ?? throw ContentDeleted(notice),
        })],
        ReminderOf = notice.ReminderOf,
        EscalationOf = notice.EscalationOf,
        EscalationWithheld = [.. (omissions ?? []).Where(o => o.Reason == OmissionReasons.EscalationStep).Select(o => o.Channel)],
        Sensitive = notice.Sensitive,
        HoldUntilRegistered = notice.HoldUntilRegistered,
    };

    private static InvalidOperationException ContentDeleted(Notice notice) => new($"notice {notice.Id} has no content left to route");
}
