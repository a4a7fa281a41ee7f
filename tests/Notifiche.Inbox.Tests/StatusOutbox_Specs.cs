using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Contracts;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Status;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

/// <summary>Issue 13, point 3: a status change and its announcement (for status callbacks) are committed together.</summary>
public class Announcing_status_changes_while_the_broker_is_away
{
    private const string Secret = "a-secret-of-the-service-at-least-32-characters";

    [Test]
    public async Task Should_keep_the_processed_and_sent_changes_in_the_outbox_and_post_their_callbacks_once_the_broker_is_back()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        var service = await Platform.Hosts.RegisterServiceAsync("callback-outbox");
        (await service.PutAsJsonAsync("/api/v1/callback", new { url = receiver.Url.ToString(), secret = Secret })).EnsureSuccessStatusCode();
        var id = await StoreAcceptedNoticeAsync("callback-outbox");
        await Platform.Hosts.WaitUntilReadyAsync(); // every host connected, so that cutting the broker off closes them all

        try
        {
            await Platform.Hosts.Vhost.SetReachableAsync(false);
            // What the status consumers do with a routing decision and a channel outcome, while no publish can succeed.
            await using (var scope = Platform.Hosts.GatewayServices.CreateAsyncScope())
            {
                var status = scope.ServiceProvider.GetRequiredService<NoticeStatusUpdater>();
                var now = DateTimeOffset.UtcNow;
                await status.RoutedAsync(new NoticeRouted { NoticeId = id, Channels = [Channels.Email], RoutedAt = now }, CancellationToken.None);
                await status.ChannelAsync(id, Channels.Email, ChannelStatus.Sent, now, CancellationToken.None, providerMessageId: "outbox-spec");
            }

            Assert.That(await AnnouncementsInTheOutboxAsync(id), Is.EquivalentTo(new[] { "PROCESSED", "email SENT" }),
                "committed with the changes, waiting for the broker");
        }
        finally
        {
            await Platform.Hosts.Vhost.SetReachableAsync(true);
        }

        await Platform.Hosts.WaitUntilReadyAsync();
        await Eventually.Holds(() => Received(receiver, id).Contains("email SENT") && Received(receiver, id).Contains("PROCESSED"),
            TimeSpan.FromSeconds(120), "the PROCESSED and email SENT callbacks");
        var stored = await Api.StatusAsync(service, id);
        Assert.That(stored.GetProperty("status").GetString(), Is.EqualTo("PROCESSED"));
        Assert.That(Api.ChannelStatus(stored, "email"), Is.EqualTo("SENT"));
        Assert.That(await AnnouncementsInTheOutboxAsync(id), Is.Empty, "published, then removed");
    }

    /// <summary>Issue 15: a status change is announced only for a service that has a callback to receive it.</summary>
    [Test]
    public async Task Should_announce_nothing_for_a_service_without_a_callback_and_announce_once_it_registers_one()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("callback-none");
        var silent = await StoreAcceptedNoticeAsync("callback-none");
        var announced = await StoreAcceptedNoticeAsync("callback-none");

        try
        {
            // The broker is away so that what is announced stays in the outbox, where it can be seen.
            await Platform.Hosts.Vhost.SetReachableAsync(false);
            await ApplyRoutedAndSentAsync(silent);
            Assert.That(await AnnouncementsInTheOutboxAsync(silent), Is.Empty, "no callback, no announcement");

            (await service.PutAsJsonAsync("/api/v1/callback", new { url = "http://127.0.0.1:9/callback", secret = Secret })).EnsureSuccessStatusCode();
            await ApplyRoutedAndSentAsync(announced);
            Assert.That(await AnnouncementsInTheOutboxAsync(announced), Is.EquivalentTo(new[] { "PROCESSED", "email SENT" }),
                "registered through this gateway: announced at once");
        }
        finally
        {
            (await service.DeleteAsync("/api/v1/callback")).EnsureSuccessStatusCode();
            await Platform.Hosts.Vhost.SetReachableAsync(true);
            // Connected again before the next spec cuts the broker off: a connection being opened then would be missed.
            await Platform.Hosts.WaitUntilReadyAsync();
        }
    }

    private static async Task ApplyRoutedAndSentAsync(Guid id)
    {
        await using var scope = Platform.Hosts.GatewayServices.CreateAsyncScope();
        var status = scope.ServiceProvider.GetRequiredService<NoticeStatusUpdater>();
        var now = DateTimeOffset.UtcNow;
        await status.RoutedAsync(new NoticeRouted { NoticeId = id, Channels = [Channels.Email], RoutedAt = now }, CancellationToken.None);
        await status.ChannelAsync(id, Channels.Email, ChannelStatus.Sent, now, CancellationToken.None, providerMessageId: "announce-spec");
    }

    private static List<string> Received(CallbackReceiver receiver, Guid id) =>
    [
        .. receiver.Received.Select(r => JsonDocument.Parse(r.Body).RootElement)
            .Where(b => b.GetProperty("notice_id").GetGuid() == id)
            .Select(b => $"{b.GetProperty("channel").GetString()} {b.GetProperty("status").GetString()}".Trim()),
    ];

    /// <summary>A notice as acceptance stores it, without the message that would route it: only this spec moves it on.</summary>
    internal static async Task<Guid> StoreAcceptedNoticeAsync(string serviceId)
    {
        await using var scope = Platform.Hosts.GatewayServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var now = DateTimeOffset.UtcNow;
        var notice = new Notice
        {
            Id = Guid.CreateVersion7(), ServiceId = serviceId, FiscalCode = Citizens.NewFiscalCode(), Subject = "Avviso in attesa",
            Markdown = Api.Markdown, DefaultEmail = Api.NewEmail("outbox"), TimeToLiveSeconds = 3600, AcceptedAt = now,
            ExpiresAt = now.AddHours(1), ContentSha256 = new string('0', 64),
        };
        db.Notices.Add(notice);
        await db.SaveChangesAsync();
        return notice.Id;
    }

    private static async Task<List<string>> AnnouncementsInTheOutboxAsync(Guid id)
    {
        await using var scope = Platform.Hosts.GatewayServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var rows = await db.Outbox.AsNoTracking().Where(o => o.MessageType == typeof(NoticeStatusChanged).FullName).ToListAsync();
        return
        [
            .. rows.Select(r => JsonSerializer.Deserialize<NoticeStatusChanged>(r.Payload)!).Where(c => c.NoticeId == id)
                .Select(c => $"{c.Channel} {c.Status}".Trim()),
        ];
    }
}
