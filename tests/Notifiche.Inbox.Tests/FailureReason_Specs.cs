using Microsoft.Extensions.DependencyInjection;
using Notifiche.Contracts;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Status;

namespace Notifiche.Inbox.Tests;

/// <summary>Issue 16, point 10: a provider's message of any length is stored cut to its column, never faulting the status update.</summary>
public class Storing_a_long_failure_reason
{
    [Test]
    public async Task Should_store_the_failure_cut_to_the_column_length_without_splitting_a_character()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("failure-reason");
        var id = await Announcing_status_changes_while_the_broker_is_away.StoreAcceptedNoticeAsync("failure-reason");
        // A provider that answers with a whole page; an emoji (a surrogate pair) straddles the column's limit.
        var reason = "550 mailbox unavailable: " + new string('x', NoticeChannel.FailureReasonMaxLength - 26) + "😀" + new string('y', 3_000);

        await using (var scope = Platform.Hosts.GatewayServices.CreateAsyncScope())
        {
            var status = scope.ServiceProvider.GetRequiredService<NoticeStatusUpdater>();
            var now = DateTimeOffset.UtcNow;
            await status.RoutedAsync(new NoticeRouted { NoticeId = id, Channels = [Channels.Email], RoutedAt = now }, CancellationToken.None);
            await status.ChannelAsync(id, Channels.Email, ChannelStatus.Failed, now, CancellationToken.None, reason: reason);
        }

        var channel = (await Api.StatusAsync(service, id)).GetProperty("channels").EnumerateArray().Single();
        var stored = channel.GetProperty("reason").GetString()!;
        Assert.That(channel.GetProperty("status").GetString(), Is.EqualTo("FAILED"));
        Assert.That(stored, Has.Length.EqualTo(NoticeChannel.FailureReasonMaxLength - 1), "cut before the emoji, not through it");
        Assert.That(reason, Does.StartWith(stored));
        var failed = (await Api.EventsAsync(service, id)).Single(e => Api.Type(e) == "failed");
        Assert.That(failed.GetProperty("detail").GetString(), Is.EqualTo(stored));
    }
}
