using System.Text;
using Notifiche.Messaging;
using Notifiche.Testing;
using RabbitMQ.Client;

namespace Notifiche.EndToEnd.Tests;

public class Dead_lettering_a_message_nobody_can_settle
{
    [TestCase("send-email")]
    [TestCase("notice-submitted")]
    [TestCase("notice-routed")]
    public async Task Should_declare_every_queue_with_a_delivery_limit_and_the_dead_letter_exchange(string queue)
    {
        var arguments = (await Platform.Hosts.Vhost.QueueAsync(queue)).GetProperty("arguments");

        Assert.That(arguments.GetProperty("x-queue-type").GetString(), Is.EqualTo("quorum"));
        Assert.That(arguments.GetProperty("x-delivery-limit").GetInt32(), Is.EqualTo(QueueArguments.DeliveryLimit));
        Assert.That(arguments.GetProperty("x-dead-letter-exchange").GetString(), Is.EqualTo(DeadLetters.Exchange));
    }

    [Test]
    public async Task Should_move_a_message_returned_unsettled_past_the_limit_to_the_dead_letter_queue()
    {
        var factory = new ConnectionFactory
        {
            HostName = TestEnvironment.RabbitMqHost, Port = TestEnvironment.RabbitMqPort, VirtualHost = Platform.Hosts.Vhost.Name,
            UserName = TestEnvironment.RabbitMqUser, Password = TestEnvironment.RabbitMqPassword,
        };
        await using var connection = await factory.CreateConnectionAsync();
        // With confirms, the publish below returns once the broker has the message.
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var queue = $"poison-{Guid.NewGuid():N}";
        // Declared exactly as our endpoint queues are (the previous spec checks they carry these arguments).
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum", ["x-delivery-limit"] = QueueArguments.DeliveryLimit, ["x-dead-letter-exchange"] = DeadLetters.Exchange,
        });
        var marker = Guid.NewGuid().ToString();
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes(marker));

        // A consumer that takes the message and dies before settling it, over and over (a crashing process returns it the same way).
        var deliveries = 0;
        while (await channel.BasicGetAsync(queue, autoAck: false) is { } delivery)
        {
            deliveries++;
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
            Assert.That(deliveries, Is.LessThanOrEqualTo(QueueArguments.DeliveryLimit + 1), "the broker kept redelivering");
        }

        Assert.That(deliveries, Is.GreaterThanOrEqualTo(QueueArguments.DeliveryLimit));
        var dead = await Eventually.Until(() => channel.BasicGetAsync(DeadLetters.Queue, autoAck: true), got => got is not null, what: "the dead letter");
        Assert.That(Encoding.UTF8.GetString(dead!.Body.Span), Is.EqualTo(marker));
        var death = (IList<object>)dead.BasicProperties.Headers!["x-death"]!;
        var first = (IDictionary<string, object>)death[0];
        Assert.That(Encoding.UTF8.GetString((byte[])first["queue"]), Is.EqualTo(queue), "the dead letter names where it came from");
        Assert.That(Encoding.UTF8.GetString((byte[])first["reason"]), Is.EqualTo("delivery_limit"));
        await channel.QueueDeleteAsync(queue);
    }
}
