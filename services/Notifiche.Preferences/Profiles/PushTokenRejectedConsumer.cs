using MassTransit;
using Microsoft.EntityFrameworkCore;
using Notifiche.Contracts;
using Notifiche.Preferences.Data;

namespace Notifiche.Preferences.Profiles;

/// <summary>Removes a device token the push provider no longer accepts from every profile that holds it.</summary>
public sealed class PushTokenRejectedConsumer(PreferencesDbContext db) : IConsumer<PushTokenRejected>
{
    public async Task Consume(ConsumeContext<PushTokenRejected> context)
    {
        var token = context.Message.DeviceToken;
        var holders = await db.Profiles.Where(p => p.PushTokens.Contains(token)).ToListAsync(context.CancellationToken);
        foreach (var profile in holders)
        {
            profile.PushTokens = [.. profile.PushTokens.Where(t => t != token)];
        }

        await db.SaveChangesAsync(context.CancellationToken);
    }
}
