namespace Notifiche.Gateway.Outbox;

/// <summary>Wakes the relay as soon as a transaction with outbox rows commits, so the normal case has no polling delay.</summary>
public class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        // At most one pending wake-up is needed: the relay drains everything each time it wakes. The count check
        // avoids an exception per notice under load; the catch covers two callers passing it at once.
        if (_signal.CurrentCount > 0)
        {
            return;
        }

        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>Waits for a notification or the timeout (the sweep that picks up rows left by a crash or by another instance).</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
