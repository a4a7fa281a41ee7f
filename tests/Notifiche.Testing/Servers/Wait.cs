using System.Diagnostics;

namespace Notifiche.Testing.Servers;

/// <summary>Polls a server until it is ready, failing at once when its process has died rather than at the deadline.</summary>
internal static class Wait
{
    /// <param name="failed">Why waiting is pointless (the process exited), or null.</param>
    public static async Task UntilAsync(Func<Task<bool>> ready, Func<string?> failed, TimeSpan timeout, string what,
        CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (failed() is { } reason)
            {
                throw new InvalidOperationException($"{what}: {reason}");
            }

            if (await ready())
            {
                return;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{what} not ready within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(200, cancellation);
        }
    }
}
