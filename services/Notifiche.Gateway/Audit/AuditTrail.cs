using Notifiche.Contracts;
using Notifiche.Gateway.Data;
using Notifiche.Persistence;

namespace Notifiche.Gateway.Audit;

/// <summary>Appends to a notice's audit trail; the caller saves it with the change it records, in one transaction.</summary>
public static class AuditTrail
{
    public const int MaxDetailLength = 500;

    public static void Record(this GatewayDbContext db, Guid noticeId, string type, DateTimeOffset at, string? channel = null, string? detail = null) =>
        db.NoticeEvents.Add(new NoticeEvent
        {
            NoticeId = noticeId,
            Type = type,
            Channel = channel,
            Detail = ColumnText.Cut(detail, MaxDetailLength),
            At = at,
        });

    /// <summary>The status change a status callback reports.</summary>
    public static NoticeStatusChanged StatusChanged(Guid noticeId, string serviceId, string status, DateTimeOffset at, string? channel = null) =>
        new() { NoticeId = noticeId, ServiceId = serviceId, Channel = channel, Status = status, ChangedAt = at };
}
