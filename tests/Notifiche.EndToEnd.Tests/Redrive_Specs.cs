using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Observability;
using Notifiche.Gateway.Redrive;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>Issue 13, point 3: a notice whose routing message was lost does not stay ACCEPTED forever, and SREs see it.</summary>
public class Re_driving_a_notice_stuck_in_ACCEPTED
{
    // What notifiche_notices_unrouted reports (read in process: an exporter scrape can race the host's other meters).
    private static long Unrouted => Platform.Hosts.GatewayServices.GetRequiredService<GatewayMetrics>().Unrouted;

    [Test]
    public async Task Should_count_it_route_it_again_and_send_it_once()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("anagrafe-redrive");
        var address = $"redrive-{Guid.NewGuid():N}@example.it";
        // Accepted a month ago, and its NoticeSubmitted never reached routing (no outbox row left: it was published and lost).
        // Older than anything else on the shared platform, so the sweep below sees only this notice.
        var acceptedAt = DateTimeOffset.UtcNow.AddDays(-30);
        var id = Guid.CreateVersion7(acceptedAt);
        await using (var scope = Platform.Hosts.GatewayServices.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            db.Notices.Add(new Notice
            {
                Id = id, ServiceId = "anagrafe-redrive", FiscalCode = NoticeApi.FiscalCode, Subject = "Avviso rimasto indietro",
                Markdown = new string('m', 80), DefaultEmail = address, TimeToLiveSeconds = 604_800, AcceptedAt = acceptedAt,
                ExpiresAt = DateTimeOffset.UtcNow.AddDays(1), ContentSha256 = new string('0', 64),
            });
            await db.SaveChangesAsync();
        }

        var redrive = Platform.Hosts.GatewayServices.GetRequiredService<RedriveService>();
        var cutoff = acceptedAt.AddMinutes(1);
        await redrive.SweepUnroutedAsync(cutoff, CancellationToken.None);

        Assert.That(Unrouted, Is.EqualTo(1), "the stuck notice is counted");
        await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT", TimeSpan.FromSeconds(60));
        Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Has.Count.EqualTo(1));
        await using (var scope = Platform.Hosts.GatewayServices.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            Assert.That((await db.Notices.AsNoTracking().SingleAsync(n => n.Id == id)).RedrivenAt, Is.Not.Null);
        }

        // The gateway's own periodic sweep writes the same gauge: what counts is that it settles at zero.
        await redrive.SweepUnroutedAsync(cutoff, CancellationToken.None);
        await Eventually.Holds(() => Unrouted == 0, TimeSpan.FromSeconds(30), "the gauge at zero once the notice is routed");
        Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Has.Count.EqualTo(1), "sent once");
    }
}
