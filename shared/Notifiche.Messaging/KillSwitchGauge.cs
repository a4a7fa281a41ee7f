using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Hosting;

namespace Notifiche.Messaging;

/// <summary>
/// <c>notifiche.kill_switch.open</c> per provider queue (<see cref="DeliveryPolicy.ProviderQueues"/>): 1 while the kill
/// switch holds the queue's endpoint stopped (the provider failing), 0 while it consumes. MassTransit's kill switch
/// stops the endpoint and starts it again after its restart timeout; a stop while the host shuts down is no trip.
/// Each trip also counts in <c>notifiche.kill_switch.trips</c>, which a scrape cannot miss however short the stop.
/// (On RabbitMQ the endpoint reports ready again only when the kill switch restarts it; the in-memory transport of the
/// tests reports it ready at once, so there the gauge reads 1 only for an instant.)
/// </summary>
public sealed class KillSwitchGauge : IReceiveEndpointObserver
{
    /// <summary>The meter every Notifiche service exports (ServiceDefaults adds "Notifiche").</summary>
    public const string MeterName = "Notifiche";

    public const string InstrumentName = "notifiche.kill_switch.open";

    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _trips = new(StringComparer.Ordinal);
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly Counter<long> _tripCounter;

    public KillSwitchGauge(IMeterFactory meters, IHostApplicationLifetime? lifetime = null)
    {
        _lifetime = lifetime;
        var meter = meters.Create(MeterName);
        _tripCounter = meter.CreateCounter<long>("notifiche.kill_switch.trips", "{trip}", "Times a provider queue's kill switch stopped its consumer.");
        meter.CreateObservableGauge(InstrumentName,
            () => _open.Select(q => new Measurement<int>(q.Value, new KeyValuePair<string, object?>("queue", q.Key))),
            "{switch}", "1 while a provider queue's kill switch holds its consumer stopped, 0 while it consumes.");
    }

    public bool IsOpen(string queue) => _open.TryGetValue(queue, out var open) && open == 1;

    public int Trips(string queue) => _trips.TryGetValue(queue, out var trips) ? trips : 0;

    public Task Ready(ReceiveEndpointReady ready)
    {
        _ = Set(ready.InputAddress, 0);
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed)
    {
        if (_lifetime?.ApplicationStopping.IsCancellationRequested != true && Set(completed.InputAddress, 1) is { } queue)
        {
            _trips.AddOrUpdate(queue, 1, (_, n) => n + 1);
            _tripCounter.Add(1, new KeyValuePair<string, object?>("queue", queue));
        }

        return Task.CompletedTask;
    }

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;

    /// <summary>Sets a provider queue's state; the queue, or null for an endpoint that is none.</summary>
    private string? Set(Uri address, int open)
    {
        var queue = address.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (queue is null || !DeliveryPolicy.ProviderQueues.Contains(queue))
        {
            return null;
        }

        _open[queue] = open;
        return queue;
    }
}
