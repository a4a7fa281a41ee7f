using System.Reflection;
using Notifiche.Gateway.Ingress;
using Notifiche.Messaging;

namespace Notifiche.Deploy.Tests;

/// <summary>
/// The queues every service declares when it publishes (<see cref="CommandQueues"/>, <see cref="EventQueues"/>) must be
/// the very queues the consumers read: a name no consumer uses would collect messages nobody reads, and a consumer queue
/// missing here would drop what a first deployment publishes before that consumer has ever started.
/// </summary>
public class Queues_bound_at_publish_time
{
    private static readonly IReadOnlyList<string> Consumed = [.. NotificheService.All.SelectMany(s => s.ConsumedQueues)];

    private static IEnumerable<string> Names(Type holder) =>
        holder.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

    private static readonly IReadOnlyList<string> BoundAtPublish = [.. Names(typeof(CommandQueues)), .. Names(typeof(EventQueues))];

    [Test]
    public void Should_each_be_the_endpoint_a_consumer_really_gets()
    {
        Assert.That(BoundAtPublish, Has.Count.GreaterThanOrEqualTo(14));
        Assert.That(BoundAtPublish.Except(Consumed), Is.Empty, "bound at publish time, but no consumer reads it");
    }

    [Test]
    public void Should_cover_every_consumer_queue_but_the_broker_ingress()
    {
        // The ingress queue is bound to its own exchange, which the services publish to (README: broker ingress).
        Assert.That(Consumed.Except(BoundAtPublish), Is.EquivalentTo(new[] { IngressTopology.Queue }));
    }

    [Test]
    public void Should_give_the_gateway_its_channel_outcome_queues()
    {
        Assert.That(NotificheService.Named("Notifiche.Gateway").ConsumedQueues, Is.SupersetOf(EventQueues.ChannelOutcomes));
    }
}
