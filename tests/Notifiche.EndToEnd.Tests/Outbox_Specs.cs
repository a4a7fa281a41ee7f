using Microsoft.EntityFrameworkCore;
using Notifiche.Contracts;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Outbox;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

public class Recovering_outbox_rows_after_a_crash
{
    [Test]
    public async Task Should_publish_a_notice_committed_by_a_gateway_that_died_before_publishing()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("anagrafe-outbox");
        var address = $"crash-{Guid.NewGuid():N}@example.it";
        var id = Guid.CreateVersion7();

        // What a gateway instance leaves behind when it crashes right after its commit: the notice and its outbox row, no publish,
        // and no in-process wake-up for the running relay. Only the relay's sweep can find it.
        var options = new DbContextOptionsBuilder<GatewayDbContext>()
            .UseNpgsql(Platform.Hosts.Database.ConnectionString).UseSnakeCaseNamingConvention().Options;
        await using (var db = new GatewayDbContext(options))
        {
            var now = DateTimeOffset.UtcNow;
            db.Notices.Add(new Notice
            {
                Id = id, ServiceId = "anagrafe-outbox", FiscalCode = NoticeApi.FiscalCode, Subject = "Avviso dopo un crash",
                Markdown = new string('m', 80), DefaultEmail = address, TimeToLiveSeconds = 3600, AcceptedAt = now,
                ExpiresAt = now.AddHours(1), ContentSha256 = new string('0', 64),
            });
            db.Outbox.Add(OutboxMessages.Create(new NoticeSubmitted
            {
                NoticeId = id, ServiceId = "anagrafe-outbox", ServiceName = "Anagrafe", OrganizationName = "Comune di Prova",
                AllowedChannels = [Channels.Email], FiscalCode = NoticeApi.FiscalCode, Subject = "Avviso dopo un crash",
                Markdown = new string('m', 80), DefaultEmail = address, AcceptedAt = now, ExpiresAt = now.AddHours(1),
            }, null, now));
            await db.SaveChangesAsync();
        }

        await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT");

        Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Has.Count.EqualTo(1));
        // The status changes (PROCESSED, SENT) leave through the outbox too, a moment after they are visible.
        await Eventually.Until(() => Platform.Hosts.Database.CountAsync("outbox"), n => n == 0, TimeSpan.FromSeconds(30), "published rows removed");
    }
}
