using Microsoft.EntityFrameworkCore;
using Notifiche.Gateway.Data;

namespace Notifiche.Gateway.Notices;

/// <summary>Deletes idempotency keys past their retention every hour, so the table holds about a day of keys.</summary>
public sealed partial class IdempotencyKeyPurge(IServiceScopeFactory scopes, TimeProvider clock, ILogger<IdempotencyKeyPurge> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
                var cutoff = clock.GetUtcNow() - IdempotencyKeys.Retention;
                // Plain SQL: SQLite (the embedded default) cannot translate a DateTimeOffset comparison; its UTC timestamps compare as text.
                var purged = await db.Database.ExecuteSqlInterpolatedAsync(
                    $"DELETE FROM idempotency_keys WHERE created_at < {cutoff}", stoppingToken);
                LogPurged(purged);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPurgeFailed(e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired idempotency keys")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Idempotency key purge failed ({Error}); retried in an hour")]
    private partial void LogPurgeFailed(string error);
}
