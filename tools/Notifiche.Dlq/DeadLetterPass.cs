using RabbitMQ.Client;

namespace Notifiche.Dlq;

/// <summary>One message taken from a dead-letter queue and not yet settled.</summary>
public sealed record Delivery(ulong Tag, int Position, DeadLetter Message);

/// <summary>
/// One pass over a dead-letter queue: takes its messages one at a time (basic.get, manual acknowledgement) and holds
/// those it does not settle until the pass ends, then returns them all to the queue at once. Holding them is what makes
/// it one pass: a message requeued at once would come straight back (RabbitMQ requeues at the head), and a consumer's
/// prefetch window would fill up with held messages, hence basic.get. The pass stops at the message count observed at
/// its start, so messages dead-lettered meanwhile are left for the next run. Each delivery counts against a quorum
/// queue's x-delivery-limit, as every inspection does.
/// </summary>
public sealed class DeadLetterPass : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly string _queue;
    private readonly SortedSet<ulong> _held = [];
    private int _taken;

    private DeadLetterPass(IChannel channel, string queue, uint count)
    {
        _channel = channel;
        _queue = queue;
        Count = count;
    }

    /// <summary>The messages ready when the pass started: at most this many are taken.</summary>
    public uint Count { get; }

    public static async Task<DeadLetterPass> StartAsync(BrokerSession broker, string queue, CancellationToken cancellationToken)
    {
        var count = await broker.MessageCountAsync(queue, cancellationToken) ?? throw await broker.QueueNotFoundAsync(queue, cancellationToken);
        return new DeadLetterPass(await broker.ReadingChannelAsync(cancellationToken), queue, count);
    }

    /// <summary>The next message, held until <see cref="AckAsync"/> or the end of the pass; null once the pass is over.</summary>
    public async Task<Delivery?> NextAsync(CancellationToken cancellationToken)
    {
        if (_taken >= Count || await _channel.BasicGetAsync(_queue, autoAck: false, cancellationToken) is not { } got)
        {
            return null;
        }

        _taken++;
        _held.Add(got.DeliveryTag);
        return new Delivery(got.DeliveryTag, _taken, DeadLetter.From(got.BasicProperties, got.Body.ToArray()));
    }

    /// <summary>Removes the message from the dead-letter queue for good.</summary>
    public async ValueTask AckAsync(Delivery delivery)
    {
        await _channel.BasicAckAsync(delivery.Tag, multiple: false);
        _held.Remove(delivery.Tag);
    }

    /// <summary>Ends the pass: every message taken and not acknowledged goes back to the queue.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_held.Count > 0 && _channel.IsOpen)
        {
            // multiple: every unsettled delivery up to the highest held tag, i.e. all the held ones (acknowledged ones are gone).
            // Should this fail, closing the channel returns them just the same.
            await _channel.BasicNackAsync(_held.Max, multiple: true, requeue: true);
        }

        await _channel.CloseAsync();
        _channel.Dispose();
    }
}
