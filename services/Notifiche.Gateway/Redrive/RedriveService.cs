using Microsoft.Extensions.Options;
using Notifiche.Gateway.Observability;

namespace Notifiche.Gateway.Redrive;

/// <summary>
/// Runs <see cref="NoticeRedrive"/>: once on start for every notice not final (<see cref="RedriveOptions.OnStart"/>), and
/// every <see cref="RedriveOptions.Interval"/> for notices ACCEPTED longer than <see cref="RedriveOptions.AcceptedAfter"/>,
/// whose number it publishes as a metric. Logs counts only.
/// </summary>
public sealed partial class RedriveService(
    IServiceScopeFactory scopes, IOptions<RedriveOptions> options, GatewayMetrics metrics, TimeProvider clock, ILogger<RedriveService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var startedAt = clock.GetUtcNow();
        if (options.Value.OnStart)
        {
            await UntilDoneAsync(async ct => LogRedrivenOnStart(await AllBatchesAsync(r => r.NotFinalBatchAsync(startedAt, ct))), stoppingToken);
        }

        if (options.Value.AcceptedAfter is not { } after)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepUnroutedAsync(clock.GetUtcNow() - after, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(e.GetType().Name, options.Value.Interval);
            }
        }
    }

    /// <summary>Counts the notices ACCEPTED since before <paramref name="cutoff"/> for the metric and re-drives them.</summary>
    public async Task SweepUnroutedAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            metrics.ObserveUnrouted(await scope.ServiceProvider.GetRequiredService<NoticeRedrive>().CountUnroutedAsync(cutoff, ct));
        }

        var redriven = await AllBatchesAsync(r => r.UnroutedBatchAsync(cutoff, ct));
        if (redriven > 0)
        {
            LogRedrivenUnrouted(redriven, cutoff);
        }
    }

    private async Task<int> AllBatchesAsync(Func<NoticeRedrive, Task<int>> batch)
    {
        var total = 0;
        int redriven;
        do
        {
            await using var scope = scopes.CreateAsyncScope();
            redriven = await batch(scope.ServiceProvider.GetRequiredService<NoticeRedrive>());
            total += redriven;
            metrics.Redriven(redriven);
        }
        while (redriven == options.Value.BatchSize);

        return total;
    }

    /// <summary>The start-up pass must happen: retried until it succeeds (the database may not be reachable yet).</summary>
    private async Task UntilDoneAsync(Func<CancellationToken, Task> pass, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await pass(ct);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(e.GetType().Name, options.Value.Interval);
                await Task.Delay(options.Value.Interval, clock, ct);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-drive on start: {Count} notices that were not final submitted to routing again")]
    private partial void LogRedrivenOnStart(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-drive: {Count} notices still ACCEPTED since before {Cutoff:O} submitted to routing again")]
    private partial void LogRedrivenUnrouted(int count, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-drive failed ({Error}); retried in {Interval}")]
    private partial void LogFailed(string error, TimeSpan interval);
}
