using Notifiche.Contracts;
using Notifiche.Persistence;

namespace Notifiche.Gateway.Status;

/// <summary>
/// Where the status consumers send their changes: routing decisions and channel outcomes are each applied in groups
/// (<see cref="GroupCommit{T}"/>) by <see cref="NoticeStatusUpdater"/>, so that under load one transaction serves the
/// messages a queue's consumers hold at once instead of one transaction each (issue 15).
/// </summary>
public sealed class StatusWriter : IAsyncDisposable
{
    private readonly GroupCommit<NoticeRouted> _routed;
    private readonly GroupCommit<ChannelOutcome> _channels;

    public StatusWriter(IServiceScopeFactory scopes, ILogger<StatusWriter> logger)
    {
        _routed = new("routing decisions", scopes, (services, group, ct) => services.GetRequiredService<NoticeStatusUpdater>().RoutedAsync(group, ct), logger);
        _channels = new("channel outcomes", scopes, (services, group, ct) => services.GetRequiredService<NoticeStatusUpdater>().ChannelAsync(group, ct), logger);
    }

    public Task RoutedAsync(NoticeRouted routed, CancellationToken ct) => _routed.ApplyAsync(routed, ct);

    public Task ChannelAsync(ChannelOutcome outcome, CancellationToken ct) => _channels.ApplyAsync(outcome, ct);

    public async ValueTask DisposeAsync()
    {
        await _routed.DisposeAsync();
        await _channels.DisposeAsync();
    }
}
