using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Data;

namespace Notifiche.Gateway.Retention;

/// <summary>Bound from <c>Retention</c>.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>How long a notice's content (subject, Markdown, due date) is kept after acceptance; status and audit stay.</summary>
    public TimeSpan ContentRetention { get; set; } = TimeSpan.FromDays(730);

    /// <summary>How often the job looks for content past its retention.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Notices per transaction, so a large backlog never holds long locks.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;
}

/// <summary>
/// Deletes the content of notices older than <see cref="RetentionOptions.ContentRetention"/>, in batches: each batch nulls
/// the content and appends a <c>content_deleted</c> audit entry per notice in one transaction. Logs counts only.
/// </summary>
public sealed partial class ContentRetention(
    IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<ContentRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        do
        {
            try
            {
                await PurgeAsync(clock.GetUtcNow() - options.Value.ContentRetention, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPurgeFailed(e.GetType().Name, options.Value.Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes the content of every notice accepted before <paramref name="cutoff"/>; returns how many.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await PurgeBatchAsync(cutoff, ct);
            total += deleted;
            if (deleted > 0)
            {
                LogBatch(deleted, total);
            }
        }
        while (deleted == options.Value.BatchSize);

        LogDone(total, cutoff);
        return total;
    }

    private async Task<int> PurgeBatchAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var batch = options.Value.BatchSize;
        // Plain SQL: SQLite cannot translate a DateTimeOffset comparison (its UTC timestamps compare as text). On PostgreSQL
        // rows being purged by another gateway instance are skipped.
        var due = db.Database.IsNpgsql()
            ? db.Notices.FromSqlInterpolated($"""
                SELECT * FROM notices WHERE content_deleted_at IS NULL AND accepted_at < {cutoff}
                ORDER BY accepted_at LIMIT {batch} FOR UPDATE SKIP LOCKED
                """)
            : db.Notices.FromSqlInterpolated($"""
                SELECT * FROM notices WHERE content_deleted_at IS NULL AND accepted_at < {cutoff} ORDER BY accepted_at LIMIT {batch}
                """);
        var ids = (await due.AsNoTracking().ToListAsync(ct)).Select(n => n.Id).ToList();
        if (ids.Count == 0)
        {
            return 0;
        }

        var now = clock.GetUtcNow();
        await db.Notices.Where(n => ids.Contains(n.Id)).ExecuteUpdateAsync(s => s
            .SetProperty(n => n.Subject, (string?)null)
            .SetProperty(n => n.Markdown, (string?)null)
            .SetProperty(n => n.DueDate, (DateOnly?)null)
            .SetProperty(n => n.ContentDeletedAt, now), ct);
        await db.NoticeVariants.Where(v => ids.Contains(v.NoticeId)).ExecuteUpdateAsync(s => s
            .SetProperty(v => v.Subject, (string?)null)
            .SetProperty(v => v.Markdown, (string?)null), ct);
        foreach (var id in ids)
        {
            db.Record(id, NoticeEventTypes.ContentDeleted, now, detail: "retention period ended");
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ids.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Content retention: deleted the content of {Count} notices ({Total} in this pass)")]
    private partial void LogBatch(int count, int total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Content retention pass done: {Total} notices accepted before {Cutoff:O} lost their content")]
    private partial void LogDone(int total, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Content retention failed ({Error}); retried in {Interval}")]
    private partial void LogPurgeFailed(string error, TimeSpan interval);
}
