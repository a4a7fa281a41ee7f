using MassTransit;
using Microsoft.EntityFrameworkCore;
using Notifiche.Gateway.Data;
using Notifiche.Messaging;

namespace Notifiche.Gateway.Status;

/// <summary>
/// The one place that moves a notice's stored status. Events arrive on separate queues, so in any order and
/// possibly more than once: statuses only move forward and a final channel status is never overwritten.
/// </summary>
public sealed class NoticeStatusUpdater(GatewayDbContext db)
{
    public async Task RoutedAsync(Guid noticeId, IReadOnlyList<string> channels, string? rejectionReason, string? detail,
        DateTimeOffset at, CancellationToken ct)
    {
        var notice = await LoadAsync(noticeId, ct);
        if (notice.Status != NoticeStatus.Accepted)
        {
            return;
        }

        notice.Status = rejectionReason is null ? NoticeStatus.Processed : NoticeStatus.Rejected;
        notice.RejectionReason = rejectionReason;
        notice.StatusDetail = detail;
        notice.ProcessedAt = at;
        foreach (var channel in channels.Where(c => notice.Channels.All(existing => existing.Channel != c)))
        {
            notice.Channels.Add(new NoticeChannel { NoticeId = noticeId, Channel = channel, UpdatedAt = at });
        }

        await db.SaveChangesAsync(ct);
    }

    public async Task ChannelAsync(Guid noticeId, string channel, string status, DateTimeOffset at, CancellationToken ct,
        string? reason = null, string? providerMessageId = null)
    {
        var notice = await LoadAsync(noticeId, ct);
        var entry = notice.Channels.FirstOrDefault(c => c.Channel == channel);
        if (entry is null)
        {
            entry = new NoticeChannel { NoticeId = noticeId, Channel = channel };
            notice.Channels.Add(entry);
        }
        else if (ChannelStatus.IsFinal(entry.Status))
        {
            return;
        }

        entry.Status = status;
        entry.UpdatedAt = at;
        entry.FailureReason = reason;
        entry.ProviderMessageId = providerMessageId;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A dispatch command exhausted its retries (it is now in its <c>_error</c> queue): the channel failed.</summary>
    public Task DispatchFaultedAsync(Fault fault, Guid noticeId, string channel, CancellationToken ct)
    {
        var reason = fault.Exceptions.FirstOrDefault()?.Message ?? "delivery failed";
        return ChannelAsync(noticeId, channel, ChannelStatus.Failed, fault.Timestamp, ct, $"retries exhausted: {reason}");
    }

    private async Task<Notice> LoadAsync(Guid noticeId, CancellationToken ct) =>
        await db.Notices.Include(n => n.Channels).FirstOrDefaultAsync(n => n.Id == noticeId, ct)
        ?? throw new PermanentFailureException($"notice {noticeId} is not stored here");
}
