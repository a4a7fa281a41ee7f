using Notifiche.Testing;

namespace Notifiche.Client.Tests;

/// <summary>Issue 18, point 4 through the client: reference and protocol on a notice, and the service's notices listed page by page.</summary>
public class Listing_notices_through_the_client
{
    [Test]
    public async Task Should_send_the_reference_and_protocol_and_list_the_notices_page_by_page()
    {
        var client = await Platform.ServiceClientAsync("client-listing");
        var protocol = new Protocol("0012345", new DateOnly(2026, 11, 26));
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var notice = Platform.Notice(Citizens.NewFiscalCode(), "mario.rossi@example.it") with { Reference = i == 1 ? "CIE-B" : "CIE-A", Protocol = protocol };
            ids.Add((await client.SubmitNoticeAsync(notice)).Id);
        }

        var status = await client.GetNoticeAsync(ids[0]);
        Assert.That(status!.Reference, Is.EqualTo("CIE-A"));
        Assert.That(status.Protocol, Is.EqualTo(protocol));
        Assert.That(status.Test, Is.False);
        Assert.That((await client.GetNoticeEventsAsync(ids[0]))!.Reference, Is.EqualTo("CIE-A"));

        ids.Reverse();
        var first = await client.ListNoticesAsync(new NoticeQuery { PageSize = 2 });
        Assert.That(first.Items.Select(n => n.Id), Is.EqualTo(ids[..2]));
        Assert.That(first.NextCursor, Is.Not.Null);
        var second = await client.ListNoticesAsync(new NoticeQuery { PageSize = 2, Cursor = first.NextCursor });
        Assert.That(second.Items.Select(n => n.Id), Is.EqualTo(ids[2..]));
        Assert.That(second.NextCursor, Is.Null);
        Assert.That((await client.ListNoticesAsync(new NoticeQuery { Reference = "CIE-B" })).Items.Select(n => n.Id), Is.EqualTo(new[] { ids[1] }));
        Assert.That((await client.ListNoticesAsync(new NoticeQuery { From = DateTimeOffset.UtcNow.AddMinutes(1) })).Items, Is.Empty);
        Assert.That((await client.ListNoticesAsync(new NoticeQuery { To = DateTimeOffset.UtcNow.AddMinutes(1) })).Items, Has.Count.EqualTo(3));

        var refused = Assert.ThrowsAsync<NotificheApiException>(() => client.ListNoticesAsync(new NoticeQuery { Status = "SENT" }));
        Assert.That(refused!.Errors.Keys, Does.Contain("status"));
    }
}
