using MassTransit;
using Notifiche.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Contracts;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Data;
using Notifiche.Persistence;
using Notifiche.Gateway.Status;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

/// <summary>Issue 15: status changes applied as a group on PostgreSQL, each with its own outcome.</summary>
public class Applying_a_group_of_status_changes
{
    [Test]
    public async Task Should_apply_the_good_changes_and_fail_only_the_unknown_and_unrouted_notices()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("status-groups");
        var routed = await Announcing_status_changes_while_the_broker_is_away.StoreAcceptedNoticeAsync("status-groups");
        var unrouted = await Announcing_status_changes_while_the_broker_is_away.StoreAcceptedNoticeAsync("status-groups");
        var unknown = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;

        await using var scope = Platform.Hosts.GatewayServices.CreateAsyncScope();
        var status = scope.ServiceProvider.GetRequiredService<NoticeStatusUpdater>();
        var routing = await status.RoutedAsync(Untraced(
        [
            new NoticeRouted { NoticeId = routed, Channels = [Channels.Email], RoutedAt = now },
            new NoticeRouted { NoticeId = unknown, Channels = [Channels.Email], RoutedAt = now },
            new NoticeRouted { NoticeId = routed, Channels = [Channels.Email], RoutedAt = now }, // a redelivery in the same group
        ]), CancellationToken.None);
        Assert.That(routing[0], Is.Null);
        Assert.That(routing[1], Is.InstanceOf<PermanentFailureException>());
        Assert.That(routing[2], Is.Null, "a redelivery changes nothing and is no failure");

        var outcomes = await status.ChannelAsync(Untraced(
        [
            new ChannelOutcome(unrouted, Channels.Email, ChannelStatus.Sent, now),
            new ChannelOutcome(routed, Channels.Email, ChannelStatus.Throttled, now, "attempt 1: 451 try later"),
            new ChannelOutcome(unknown, Channels.Email, ChannelStatus.Sent, now),
            new ChannelOutcome(routed, Channels.Email, ChannelStatus.Sent, now.AddSeconds(1), ProviderMessageId: "group-spec"),
        ]), CancellationToken.None);
        Assert.That(outcomes[0], Is.InstanceOf<NoticeNotRoutedException>(), "waits for its routing decision");
        Assert.That(outcomes[1], Is.Null);
        Assert.That(outcomes[2], Is.InstanceOf<PermanentFailureException>());
        Assert.That(outcomes[3], Is.Null);

        var stored = await Api.StatusAsync(service, routed);
        Assert.That(stored.GetProperty("status").GetString(), Is.EqualTo("PROCESSED"));
        Assert.That(Api.ChannelStatus(stored, "email"), Is.EqualTo("SENT"));
        var events = (await Api.EventsAsync(service, routed)).Select(e => $"{Api.Type(e)} {Api.Channel(e)}".Trim()).ToList();
        Assert.That(events, Is.EqualTo(new[] { "routed", "dispatch_attempt_failed email", "sent email" }),
            "one routed entry for two deliveries, then the attempt and the outcome in order");
        Assert.That((await Api.StatusAsync(service, unrouted)).GetProperty("status").GetString(), Is.EqualTo("ACCEPTED"));
    }

    private static List<Traced<T>> Untraced<T>(IEnumerable<T> items) => [.. items.Select(i => new Traced<T>(i, null))];
}
