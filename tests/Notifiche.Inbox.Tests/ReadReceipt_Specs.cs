using System.Net;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

public class Showing_read_receipts
{
    [Test]
    public async Task Should_show_read_with_its_time_only_to_the_service_the_citizen_allowed()
    {
        var allowed = await Platform.Hosts.RegisterServiceAsync("receipts-allowed");
        var other = await Platform.Hosts.RegisterServiceAsync("receipts-not-allowed");
        var citizen = Citizens.NewFiscalCode();
        await Api.PutProfileAsync(citizen, new
        {
            email = Api.NewEmail("receipts"), email_verified = true, read_receipt_services = new[] { "receipts-allowed" },
        });
        var seen = await Api.SubmitAsync(allowed, Api.Notice(citizen));
        var unseen = await Api.SubmitAsync(other, Api.Notice(citizen));
        await Api.WaitForInboxAsync(citizen, 2);

        var before = await Api.StatusAsync(allowed, seen);
        Assert.That(before.GetProperty("read_status").GetString(), Is.EqualTo("UNREAD"));
        Assert.That((await Api.MarkReadAsync(citizen, seen)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Api.MarkReadAsync(citizen, unseen)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var read = await Api.StatusAsync(allowed, seen);
        Assert.That(read.GetProperty("read_status").GetString(), Is.EqualTo("READ"));
        Assert.That(read.GetProperty("read_at").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That((await Api.EventsAsync(allowed, seen)).Select(Api.Type), Does.Contain("read"));

        var hidden = await Api.StatusAsync(other, unseen);
        Assert.That(hidden.GetProperty("read_status").GetString(), Is.EqualTo("UNAVAILABLE"));
        Assert.That(hidden.GetProperty("read_at").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That((await Api.EventsAsync(other, unseen)).Select(Api.Type), Does.Not.Contain("read"), "nor in its audit trail");
    }

    [Test]
    public async Task Should_be_unavailable_by_default()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("receipts-default");
        var citizen = Citizens.NewFiscalCode();
        await Api.PutProfileAsync(citizen, new { email = Api.NewEmail("receipts"), email_verified = true });
        var id = await Api.SubmitAsync(service, Api.Notice(citizen));
        await Api.WaitForInboxAsync(citizen, 1);
        await Api.MarkReadAsync(citizen, id);

        Assert.That((await Api.StatusAsync(service, id)).GetProperty("read_status").GetString(), Is.EqualTo("UNAVAILABLE"));
    }
}
