using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Notifiche.Persistence;

/// <summary>A request of a group with the trace it came from (its caller's activity), so that what it causes continues that trace.</summary>
public readonly record struct Traced<T>(T Item, string? TraceParent);

/// <summary>
/// Group commit: requests from concurrent callers (the consumers of one queue, up to its prefetch count at once; the
/// HTTP requests submitting notices) are applied together, in one transaction, by one writer; each caller awaits the
/// outcome of its own request, so a consumer still acknowledges its message, and the API still answers 201, only once
/// the change is committed, and a request that fails (a notice not stored, not routed yet) fails alone. Under load a few round trips serve a whole group; alone, a request is applied at once.
/// When a group's transaction fails as a whole, its requests are applied one by one, so one bad request cannot take the
/// others down with it.
/// </summary>
public sealed class GroupCommit<T>(
    string what, IServiceScopeFactory scopes, Func<IServiceProvider, IReadOnlyList<Traced<T>>, CancellationToken, Task<IReadOnlyList<Exception?>>> apply,
    ILogger logger)
    : IAsyncDisposable
{
    /// <summary>Most requests in one group (a bound on the statement's size and the transaction's length).</summary>
    public const int MaxGroup = 64;

    private readonly Channel<Request> _queue = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private Task? _writer;
    private readonly Lock _starting = new();

    private sealed record Request(Traced<T> Item, TaskCompletionSource Done, CancellationToken Cancellation);

    /// <summary>Applies <paramref name="item"/> with whatever else is waiting; completes once it is committed.</summary>
    public Task ApplyAsync(T item, CancellationToken ct)
    {
        EnsureWriter();
        var request = new Request(new Traced<T>(item, Activity.Current?.Id), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), ct);
        if (!_queue.Writer.TryWrite(request))
        {
            throw new OperationCanceledException("the writer is stopping");
        }

        return request.Done.Task.WaitAsync(ct);
    }

    private void EnsureWriter()
    {
        if (_writer is not null)
        {
            return;
        }

        lock (_starting)
        {
            _writer ??= Task.Run(() => WriteAsync(_stop.Token));
        }
    }

    private async Task WriteAsync(CancellationToken stop)
    {
        var group = new List<Request>(MaxGroup);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stop))
            {
                group.Clear();
                while (group.Count < MaxGroup && _queue.Reader.TryRead(out var request))
                {
                    if (request.Cancellation.IsCancellationRequested)
                    {
                        request.Done.TrySetCanceled(request.Cancellation);
                    }
                    else
                    {
                        group.Add(request);
                    }
                }

                if (group.Count > 0)
                {
                    await ApplyGroupAsync(group, stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        while (_queue.Reader.TryRead(out var left))
        {
            left.Done.TrySetCanceled(stop);
        }
    }

    private async Task ApplyGroupAsync(List<Request> group, CancellationToken stop)
    {
        try
        {
            var outcomes = await ApplyAsync([.. group.Select(r => r.Item)], stop);
            for (var i = 0; i < group.Count; i++)
            {
                Complete(group[i], outcomes[i]);
            }
        }
        catch (Exception e) when (group.Count > 1 && !stop.IsCancellationRequested && !Unreachable(e))
        {
            logger.LogWarning("A group of {Count} {What} failed together ({Error}); applying them one by one", group.Count, what, e.GetType().Name);
            foreach (var request in group)
            {
                try
                {
                    Complete(request, (await ApplyAsync([request.Item], stop))[0]);
                }
                catch (Exception one)
                {
                    request.Done.TrySetException(one);
                }
            }
        }
        catch (Exception e)
        {
            foreach (var request in group)
            {
                request.Done.TrySetException(e);
            }
        }
    }

    /// <summary>
    /// The database could not be reached (connection refused or lost, a timeout): every request of the group fails at once
    /// (the API answers 503, consumers retry) instead of each waiting for the same timeout again, one after the other.
    /// An error the server answered (a constraint, a deadlock) concerns the group's contents: applied one by one.
    /// </summary>
    private static bool Unreachable(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException)
            {
                return false;
            }

            if (e is Npgsql.NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or IOException)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<IReadOnlyList<Exception?>> ApplyAsync(IReadOnlyList<Traced<T>> items, CancellationToken stop)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await apply(scope.ServiceProvider, items, stop);
    }

    private static void Complete(Request request, Exception? outcome)
    {
        if (outcome is null)
        {
            request.Done.TrySetResult();
        }
        else
        {
            request.Done.TrySetException(outcome);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        if (_writer is not null)
        {
            await _writer;
        }

        _stop.Dispose();
    }
}
