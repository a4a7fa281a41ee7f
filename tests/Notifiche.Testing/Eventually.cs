using NUnit.Framework;

namespace Notifiche.Testing;

/// <summary>Polls an asynchronous condition until it holds; the timeout is generous because CI machines are shared.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        T last;
        do
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"timed out waiting for {what ?? "condition"}; last value: {last}");
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> when it does not in time.</summary>
    public static async Task Holds(Func<bool> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}");
            }

            await Task.Delay(50);
        }
    }
}
