using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Preferences.Data;
using Notifiche.Preferences.Deferral;
using Notifiche.Preferences.Holding;

namespace Notifiche.Preferences.Routing;

/// <summary>
/// Routes a submitted notice: publishes the plan, then one dispatch command per planned channel (none once expired).
/// Inside the citizen's quiet hours the SMS, push and Telegram commands are stored as <see cref="DeferredDispatch"/>
/// rows instead, published by the <see cref="DeferredDispatchRelay"/> at the next allowed minute (email, and an urgent
/// notice, are never deferred); the plan says which channels wait and until when. A channel whose next allowed minute is
/// after the notice's expiry can never be sent: the plan shows it deferred to then, and it is EXPIRED at once. A notice for
/// an unknown citizen that asks to be held until registered is stored (<see cref="HeldNotices"/>) and reported HELD instead
/// of rejected.
/// </summary>
public sealed class NoticeSubmittedConsumer(ProfileReader profiles, PreferencesDbContext db, IOptions<QuietHoursOptions> quietHours, TimeProvider clock)
    : IConsumer<NoticeSubmitted>
{
    public async Task Consume(ConsumeContext<NoticeSubmitted> context)
    {
        var profile = await profiles.FindAsync(context.Message.FiscalCode, context.CancellationToken);
        var plan = ChannelPlan.For(context.Message, profile);
        var now = clock.GetUtcNow();
        if (plan.RejectionReason == RejectionReasons.UserNotFound && context.Message.HoldUntilRegistered)
        {
            // Only a notice that asks to be held costs anything more here: the citizen is unknown, so far.
            if (now >= context.Message.ExpiresAt)
            {
                await context.Publish(HeldNoticeRelay.Expired(context.Message.NoticeId, now));
                return;
            }

            profile = await HeldNotices.HoldAsync(db, context.Message, now, context.CancellationToken);
            if (profile is null)
            {
                await context.Publish(new NoticeRouted
                {
                    NoticeId = context.Message.NoticeId, Channels = [], RoutedAt = now, HeldUntil = context.Message.ExpiresAt,
                    Detail = "The citizen has no profile yet: the notice is held until it is created, or until it expires.",
                });
                return;
            }

            plan = ChannelPlan.For(context.Message, profile);
        }

        var (notice, contentLanguage) = ContentLanguage.For(context.Message, plan.Language);
        // Without a profile only the service's default email is planned, which is never deferred.
        var nextAllowed = profile is null || notice.Urgent || now > notice.ExpiresAt
            ? null
            : QuietHours.NextAllowed(now, quietHours.Value.WindowFor(profile));
        var deferred = nextAllowed is { } until
            ? plan.Channels.Where(DeferredCommands.Defers).ToDictionary(c => c, _ => until)
            : [];

        var waiting = deferred.Where(d => d.Value <= notice.ExpiresAt).Select(d => d.Key).ToList();
        if (waiting.Count > 0)
        {
            // Stored before the plan is published: a redelivery finds the rows and publishes the same plan again.
            await DeferAsync(notice, plan, waiting, nextAllowed!.Value, now, context.CancellationToken);
        }

        await context.Publish(new NoticeRouted
        {
            NoticeId = notice.NoticeId, Channels = plan.Channels, RejectionReason = plan.RejectionReason, Detail = plan.Detail, RoutedAt = now,
            ReadReceipts = plan.ReadReceipts, DeferredUntil = deferred, ContentLanguage = contentLanguage,
        });

        foreach (var channel in plan.Channels)
        {
            if (now > notice.ExpiresAt || (deferred.ContainsKey(channel) && !waiting.Contains(channel)))
            {
                await context.Publish(new NotificationExpired { NoticeId = notice.NoticeId, Channel = channel, ExpiredAt = now });
            }
            else if (!deferred.ContainsKey(channel))
            {
                await context.Publish(DispatchCommands.For(channel, notice, plan));
            }
        }
    }

    private async Task DeferAsync(NoticeSubmitted notice, ChannelPlan plan, IReadOnlyList<string> channels, DateTimeOffset until, DateTimeOffset now,
        CancellationToken ct)
    {
        var stored = await db.DeferredDispatches.Where(d => d.NoticeId == notice.NoticeId).Select(d => d.Channel).ToListAsync(ct);
        foreach (var channel in channels.Except(stored))
        {
            var (type, payload) = DeferredCommands.Write(DispatchCommands.For(channel, notice, plan));
            db.DeferredDispatches.Add(new DeferredDispatch
            {
                NoticeId = notice.NoticeId, FiscalCode = notice.FiscalCode, Channel = channel, MessageType = type, Payload = payload, NotBefore = until.ToUniversalTime(),
                ExpiresAt = notice.ExpiresAt.ToUniversalTime(), TraceParent = Activity.Current?.Id, CreatedAt = now,
            });
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same notice routed at the same time (a redelivery): fine once its rows are there, else retried.
            db.ChangeTracker.Clear();
            if (await db.DeferredDispatches.CountAsync(d => d.NoticeId == notice.NoticeId, ct) < channels.Count)
            {
                throw;
            }
        }
    }
}
