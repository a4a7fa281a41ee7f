using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Gateway.Retention;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

public class Deleting_content_after_its_retention
{
    [Test]
    public async Task Should_delete_the_content_of_old_notices_and_keep_their_status_and_audit_trail()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("retention");
        var citizen = Citizens.NewFiscalCode();
        var old = await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("retention")));
        await Api.WaitForStatusAsync(service, old, s => Api.ChannelStatus(s, "email") == "SENT", "old notice SENT");
        var oldStatus = await Api.StatusAsync(service, old);
        // The pass runs as if the retention period had ended between the two notices (the job computes now − Retention:ContentRetention).
        var cutoff = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromMilliseconds(20));
        var recent = await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("retention")));
        await Api.WaitForInboxAsync(citizen, 2);

        var deleted = await Platform.Hosts.GatewayServices.GetRequiredService<ContentRetention>().PurgeAsync(cutoff, CancellationToken.None);

        Assert.That(deleted, Is.GreaterThanOrEqualTo(1));
        var gone = await (await Api.ReadAsync(citizen, old)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(gone.GetProperty("subject").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(gone.GetProperty("markdown").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(gone.GetProperty("html").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(gone.GetProperty("content_note").GetString(), Does.Contain("deleted at the end of its retention period"));
        Assert.That((await Api.PageAsync(citizen)).GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("id").GetGuid() == old).GetProperty("content_deleted").GetBoolean(), Is.True);
        var kept = await (await Api.ReadAsync(citizen, recent)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(kept.GetProperty("markdown").GetString(), Is.EqualTo(Api.Markdown), "content within its retention stays");

        var status = await Api.StatusAsync(service, old);
        Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("PROCESSED"));
        Assert.That(Api.ChannelStatus(status, "email"), Is.EqualTo("SENT"));
        Assert.That(status.GetProperty("content_sha256").GetString(), Is.EqualTo(oldStatus.GetProperty("content_sha256").GetString()));
        var events = (await Api.EventsAsync(service, old)).Select(Api.Type).ToList();
        Assert.That(events, Is.EqualTo(new[] { "accepted", "routed", "sent", "content_deleted" }));
        Assert.That((await Api.EventsAsync(service, recent)).Select(Api.Type), Does.Not.Contain("content_deleted"));
    }
}
