using System.Net;
using Notifiche.Testing;

namespace Notifiche.Client.Tests;

public class The_app_backend_through_the_client
{
    [Test]
    public async Task Should_write_read_and_erase_a_profile()
    {
        var app = Platform.AppBackendClient();
        var citizen = Citizens.NewFiscalCode();
        Assert.That(await app.GetProfileAsync(citizen), Is.Null);

        var stored = await app.PutProfileAsync(citizen, new ProfileUpdate
        {
            Email = "maria.blu@example.it", EmailVerified = true, Phone = "347 123 4567", PushTokens = ["device-1"], Language = "de",
            Channels = new ChannelSwitches(Sms: false), BlockedServices = ["tributi"], ReadReceiptServices = ["anagrafe"],
        });
        Assert.That(stored.Phone, Is.EqualTo("+393471234567"));
        Assert.That(stored.Channels, Is.EqualTo(new ChannelSwitches(Email: true, Sms: false, Push: true, Telegram: true)));

        var read = await app.GetProfileAsync(citizen);
        Assert.That(read, Is.Not.Null);
        Assert.That((read!.FiscalCode, read.Email, read.Language, read.PushTokens.Single(), read.BlockedServices.Single(), read.ReadReceiptServices.Single()),
            Is.EqualTo((citizen, "maria.blu@example.it", "de", "device-1", "tributi", "anagrafe")));

        Assert.That(await app.DeleteProfileAsync(citizen), Is.True);
        Assert.That(await app.GetProfileAsync(citizen), Is.Null);
        Assert.That(await app.DeleteProfileAsync(citizen), Is.False, "nothing left to erase");
    }

    [Test]
    public async Task Should_round_trip_quiet_hours_time_zone_and_content_only_in_inbox()
    {
        var app = Platform.AppBackendClient();
        var citizen = Citizens.NewFiscalCode();

        var stored = await app.PutProfileAsync(citizen, new ProfileUpdate
        {
            Email = "giulia.verde@example.it", EmailVerified = true, Language = "sl",
            QuietHours = new QuietHours("22:30", "07:15"), TimeZone = "Europe/Berlin", ContentOnlyInInbox = true,
        });
        var read = await app.GetProfileAsync(citizen);
        foreach (var profile in new[] { stored, read! })
        {
            Assert.That((profile.QuietHours, profile.TimeZone, profile.ContentOnlyInInbox, profile.Language),
                Is.EqualTo((new QuietHours("22:30", "07:15"), "Europe/Berlin", true, "sl")));
        }

        var platformDefaults = await app.PutProfileAsync(citizen, new ProfileUpdate { Email = "giulia.verde@example.it", EmailVerified = true });
        Assert.That((platformDefaults.QuietHours, platformDefaults.TimeZone, platformDefaults.ContentOnlyInInbox), Is.EqualTo(((QuietHours?)null, (string?)null, false)),
            "the whole profile is replaced: the platform's quiet hours again");

        var refused = Assert.ThrowsAsync<NotificheApiException>(() => app.PutProfileAsync(citizen, new ProfileUpdate
        {
            QuietHours = new QuietHours("25:00", "07:00"), TimeZone = "Europe/Atlantis",
        }))!;
        Assert.That(refused.Errors.Keys, Is.EquivalentTo(new[] { "quiet_hours.from", "time_zone" }));
    }

    [Test]
    public async Task Should_refuse_an_invalid_profile_naming_the_field()
    {
        var refused = Assert.ThrowsAsync<NotificheApiException>(() =>
            Platform.AppBackendClient().PutProfileAsync(Citizens.NewFiscalCode(), new ProfileUpdate { Phone = "not a phone" }))!;
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(refused.Errors.Keys, Does.Contain("phone"));
    }

    [Test]
    public async Task Should_list_read_mark_and_archive_the_citizens_notices()
    {
        var app = Platform.AppBackendClient();
        var citizen = Citizens.NewFiscalCode();
        await app.PutProfileAsync(citizen, new ProfileUpdate { Email = "franco.viola@example.it", EmailVerified = true });
        var service = await Platform.ServiceClientAsync("client-inbox");
        var submitted = await service.SubmitNoticeAsync(Platform.Notice(citizen));

        var page = await Eventually.Until(() => app.ListInboxAsync(citizen), p => p.Items.Any(i => i.Id == submitted.Id),
            TimeSpan.FromSeconds(60), "the notice in the inbox");
        var item = page.Items.Single(i => i.Id == submitted.Id);
        Assert.That((item.Service.Id, item.Subject, item.DueDate, item.ReadAt), Is.EqualTo(("client-inbox", "La tua carta di identità scade tra 30 giorni",
            (DateOnly?)new DateOnly(2026, 12, 26), (DateTimeOffset?)null)));
        Assert.That(page.NextCursor, Is.Null);

        var notice = await app.GetInboxNoticeAsync(citizen, submitted.Id);
        Assert.That(notice!.Markdown, Is.EqualTo(Platform.Markdown));
        Assert.That(notice.Html, Does.Contain("<strong>sito del Comune</strong>"));
        Assert.That(await app.GetInboxNoticeAsync(Citizens.NewFiscalCode(), submitted.Id), Is.Null, "another citizen's inbox");

        Assert.That((await app.MarkReadAsync(citizen, submitted.Id)).ReadAt, Is.Not.Null);
        Assert.That((await app.ListInboxAsync(citizen, new InboxQuery { Unread = true })).Items, Is.Empty);

        Assert.That((await app.ArchiveAsync(citizen, submitted.Id)).ArchivedAt, Is.Not.Null);
        Assert.That((await app.ListInboxAsync(citizen)).Items, Is.Empty, "archived notices are left out");
        Assert.That((await app.ListInboxAsync(citizen, new InboxQuery { Archived = true, PageSize = 1 })).Items.Single().Id, Is.EqualTo(submitted.Id));
        Assert.That((await app.UnarchiveAsync(citizen, submitted.Id)).ArchivedAt, Is.Null);

        var invalid = Assert.ThrowsAsync<NotificheApiException>(() => app.ListInboxAsync(citizen, new InboxQuery { PageSize = 0, Cursor = "nope" }))!;
        Assert.That(invalid.Errors.Keys, Is.EquivalentTo(new[] { "page_size", "cursor" }));
    }
}
