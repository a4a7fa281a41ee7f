using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Notifiche.Persistence;

/// <summary>A row a <see cref="DueRowRelay{TContext, TRow}"/> publishes from <see cref="NotBefore"/> on, then deletes.</summary>
public interface IDueRow
{
    long Id { get; }

    /// <summary>Due from this time on; the relay takes due rows in (not_before, id) order, which the table indexes.</summary>
    DateTimeOffset NotBefore { get; }
}

/// <summary>How a <see cref="DueRowRelay{TContext, TRow}"/> paces itself.</summary>
public sealed record DueRowRelaySettings(int BatchSize, TimeSpan SweepInterval, TimeSpan PublishTimeout);

/// <summary>
/// Moves committed rows of one table to the broker once they are due — the gateway's outbox, preferences' deferred
/// dispatches. One batch is one transaction: the due rows are locked (<c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL, so
/// several instances never take the same rows; SQLite, the standalone, is one process), published — with publisher
/// confirms, so a publish completes only once the broker has the message — within
/// <see cref="DueRowRelaySettings.PublishTimeout"/>, deleted, committed. A crash between publish and commit publishes the
/// rows again after the restart: every consumer downstream is idempotent by notice id.
/// <para>
/// The loop relays batches until one comes back short, then waits (<see cref="WaitAsync"/>: a wake-up or the sweep
/// interval). A failure (the database or the broker gone, a publish that never completes — RabbitMQ.Client 7.2 can leave
/// a publish awaiting its confirm for ever after a broker crash, rabbitmq-dotnet-client #1928/#1930) leaves the rows in
/// the table and is retried with exponential back-off (Polly: 250 ms doubling to 30 s, jittered), without end: the rows
/// are committed work.
/// </para>
/// </summary>
public abstract partial class DueRowRelay<TContext, TRow> : BackgroundService
    where TContext : DbContext
    where TRow : class, IDueRow
{
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;

    // Under load the relay wakes for every batch; the backlog is counted at most once per sweep interval.
    private DateTimeOffset _observedAt;

    protected DueRowRelay(IServiceScopeFactory scopes, TimeProvider clock, ILogger logger)
    {
        Scopes = scopes;
        _logger = logger;
        Clock = clock;
        // Real time for the back-off, whatever clock decides what is due (specs run the relays on fake clocks).
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                // Anything but the host stopping: a publish cancelled by its own timeout is a failure like any other.
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is not null && !args.Context.CancellationToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxDelay = TimeSpan.FromSeconds(30),
                UseJitter = true,
                OnRetry = async args =>
                {
                    LogRelayFailed(GetType().Name, args.Outcome.Exception!.GetType().Name, args.AttemptNumber + 1);
                    await TryObserveAsync(args.Context.CancellationToken);
                },
            })
            .Build();
    }

    protected TimeProvider Clock { get; }

    protected IServiceScopeFactory Scopes { get; }

    protected abstract DueRowRelaySettings Settings { get; }

    /// <summary>The table's rows (the table's name comes from the context's model).</summary>
    protected abstract DbSet<TRow> Rows(TContext db);

    /// <summary>Publishes one due row (called concurrently for a batch's rows).</summary>
    protected abstract Task PublishAsync(TRow row, DateTimeOffset now, CancellationToken ct);

    /// <summary>Waits before the next look once the table has no more due rows; by default the sweep interval.</summary>
    protected virtual Task WaitAsync(CancellationToken ct) => Task.Delay(Settings.SweepInterval, ct);

    /// <summary>
    /// The table's due rows not yet relayed and how long the oldest has been due (zero when none), observed at most once
    /// per sweep interval once caught up and after every failure: for a backlog metric and a readiness check. Rows not
    /// due yet are waiting, not stuck, and are not counted.
    /// </summary>
    protected virtual void Observed(long dueBacklog, TimeSpan oldestDueAge)
    {
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _retry.ExecuteAsync(static async (relay, ct) => await relay.RoundAsync(ct), this, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async ValueTask RoundAsync(CancellationToken ct)
    {
        while (await RelayDueAsync(ct) == Settings.BatchSize)
        {
        }

        if (Clock.GetUtcNow() - _observedAt >= Settings.SweepInterval)
        {
            await ObserveAsync(ct);
        }

        await WaitAsync(ct);
    }

    private async Task ObserveAsync(CancellationToken ct)
    {
        await using var scope = Scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var table = TableOf(db);
        var now = Clock.GetUtcNow();
        // By the (not_before, id) index: due rows only. Plain SQL: SQLite cannot translate a DateTimeOffset comparison.
#pragma warning disable EF1002 // the interpolated part is the model's table name, never input
        var backlog = await db.Database.SqlQueryRaw<long>($"SELECT COUNT(*) AS \"Value\" FROM {table} WHERE not_before <= {{0}}", now).SingleAsync(ct);
        var oldest = backlog == 0 ? (DateTimeOffset?)null
            : await db.Database.SqlQueryRaw<DateTimeOffset>($"SELECT MIN(not_before) AS \"Value\" FROM {table} WHERE not_before <= {{0}}", now).SingleAsync(ct);
#pragma warning restore EF1002
        Observed(backlog, oldest is { } at ? now - at : TimeSpan.Zero);
        _observedAt = Clock.GetUtcNow();
    }

    private async Task TryObserveAsync(CancellationToken ct)
    {
        try
        {
            await ObserveAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database itself is down: its own readiness check reports that.
        }
    }

    private static string TableOf(TContext db) =>
        db.Model.FindEntityType(typeof(TRow))?.GetTableName() ?? throw new InvalidOperationException($"{typeof(TRow).Name} is not mapped to a table");

    /// <summary>Relays one batch of due rows; how many.</summary>
    public async Task<int> RelayDueAsync(CancellationToken ct)
    {
        await using var scope = Scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = Clock.GetUtcNow();
        var rows = await LockDue(db, now).AsNoTracking().ToListAsync(ct);
        if (rows.Count == 0)
        {
            return 0;
        }

        var timeout = Settings.PublishTimeout;
        // The bound is enforced on the wait itself: a publish stuck inside the client may not observe its token.
        using var publishing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        publishing.CancelAfter(timeout);
        await Task.WhenAll(rows.Select(row => PublishAsync(row, now, publishing.Token))).WaitAsync(timeout, ct);
        var ids = rows.Select(r => r.Id).ToList();
        await Rows(db).Where(r => ids.Contains(r.Id)).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return rows.Count;
    }

    /// <summary>
    /// The rows due longest, by the (not_before, id) index. Plain SQL: SQLite cannot translate a DateTimeOffset
    /// comparison, and EF has no <c>SKIP LOCKED</c>. The table's name is the model's, never input.
    /// </summary>
    private IQueryable<TRow> LockDue(TContext db, DateTimeOffset now)
    {
        var table = TableOf(db);
        var locking = db.Database.IsNpgsql() ? " FOR UPDATE SKIP LOCKED" : "";
#pragma warning disable EF1002 // the interpolated parts are the model's table name and a constant, never input
        return Rows(db).FromSqlRaw(
            $"SELECT * FROM {table} WHERE not_before <= {{0}} ORDER BY not_before, id LIMIT {{1}}{locking}", now, Settings.BatchSize);
#pragma warning restore EF1002
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Relay} failed ({Error}), attempt {Failures}; the rows stay and are retried")]
    private partial void LogRelayFailed(string relay, string error, int failures);
}
