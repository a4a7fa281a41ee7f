using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.Contracts;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Outbox;
using Notifiche.Gateway.Registry;
using Notifiche.Persistence;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Issue 15: the gateway saves its new rows with one <c>unnest</c> insert per table (<see cref="AddedRows"/>) instead of
/// EF Core's statement with a parameter per value. Every column must come out exactly as EF Core itself stores it — the
/// writer is generic over the model, so a column added later is covered by this spec too.
/// </summary>
public class Saving_new_rows_in_one_statement_per_table
{
    private static readonly string[] Tables = ["notices", "notice_omissions", "notice_variants", "notice_channels", "notice_events", "outbox", "idempotency_keys"];

    [Test]
    public async Task Should_store_every_column_as_ef_core_does()
    {
        await using var database = await PostgresTestDatabase.CreateAsync("added_rows");
        using var host = await StartAsync(database);
        var now = DateTimeOffset.UtcNow;
        var (byEf, byUnnest) = (Guid.CreateVersion7(now), Guid.CreateVersion7(now.AddMilliseconds(1)));

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            db.Services.Add(new ServiceRecord { Id = "added-rows", Name = "Tributi", OrganizationName = "Comune di Prova", CreatedAt = now });
            Graph(db, byEf, "ef", now);
            await db.SaveChangesAsync();
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            Graph(db, byUnnest, "unnest", now);
            await db.SaveAddedAsync(CancellationToken.None);
            Assert.That(db.ChangeTracker.Entries().Count(), Is.Zero, "the saved rows are no longer tracked");
            await tx.CommitAsync();
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            foreach (var table in Tables)
            {
                var expected = await RowsAsync(db, table, byEf);
                Assert.That(expected, Is.Not.Empty, table);
                Assert.That(await RowsAsync(db, table, byUnnest), Is.EqualTo(expected), table);
            }
        }
    }

    [Test]
    public async Task Should_fail_as_ef_core_does_on_a_taken_key_and_store_nothing_of_the_batch()
    {
        await using var database = await PostgresTestDatabase.CreateAsync("added_rows_conflict");
        using var host = await StartAsync(database);
        var now = DateTimeOffset.UtcNow;
        var id = await StoredNoticeAsync(host, now);

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            db.Record(id, NoticeEventTypes.Accepted, now, detail: "must not stay");
            db.IdempotencyKeys.Add(new IdempotencyKey { ServiceId = "added-rows", Key = "key-first", RequestSha256 = "x", NoticeId = id, CreatedAt = now });
            var failure = Assert.ThrowsAsync<DbUpdateException>(() => db.SaveAddedAsync(CancellationToken.None));
            Assert.That(failure!.InnerException, Is.TypeOf<Npgsql.PostgresException>());
            Assert.That(await db.NoticeEvents.CountAsync(e => e.Detail == "must not stay"), Is.Zero, "the batch is one transaction");
        }
    }

    [Test]
    public async Task Should_number_a_table_s_rows_in_the_order_they_were_added()
    {
        await using var database = await PostgresTestDatabase.CreateAsync("added_rows_order");
        using var host = await StartAsync(database);
        var now = DateTimeOffset.UtcNow;
        var id = await StoredNoticeAsync(host, now);

        // The audit trail is read in its sequence's order (the append order, which is causal): a group's outcomes are
        // recorded in that order with other tables' rows in between, as NoticeStatusUpdater does.
        var recorded = Enumerable.Range(1, 12).Select(n => $"step {n}").ToList();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            // A context that saved before (a group's routing, then its outcomes): the rows it detached left gaps that
            // the change tracker fills first, so its entries no longer come out in the order they were added.
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            db.Record(id, NoticeEventTypes.Routed, now, detail: "earlier 1");
            db.Record(id, NoticeEventTypes.Routed, now, detail: "earlier 2");
            db.Record(id, NoticeEventTypes.Routed, now, detail: "earlier 3");
            await db.SaveAddedAsync(CancellationToken.None);
            foreach (var detail in recorded)
            {
                db.Record(id, detail.EndsWith('1') ? NoticeEventTypes.Sent : NoticeEventTypes.DispatchAttemptFailed, now, Channels.Email, detail);
                db.Outbox.Add(OutboxMessages.Create(AuditTrail.StatusChanged(id, "added-rows", NoticeStatus.Processed, now), null, now, noticeId: id));
            }

            await db.SaveAddedAsync(CancellationToken.None);
            var stored = await db.NoticeEvents.Where(e => e.NoticeId == id && e.Detail!.StartsWith("step ")).OrderBy(e => e.Sequence).Select(e => e.Detail).ToListAsync();
            Assert.That(stored, Is.EqualTo(recorded));
        }
    }

    /// <summary>A notice stored by EF Core itself (its service and <see cref="Graph"/>), for the specs that add to it.</summary>
    private static async Task<Guid> StoredNoticeAsync(IHost host, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        db.Services.Add(new ServiceRecord { Id = "added-rows", Name = "Tributi", OrganizationName = "Comune di Prova", CreatedAt = now });
        Graph(db, id, "first", now);
        await db.SaveChangesAsync();
        return id;
    }

    /// <summary>A notice with every kind of column set (and some left null), with the rows admission writes beside it.</summary>
    private static void Graph(GatewayDbContext db, Guid id, string key, DateTimeOffset now)
    {
        db.Notices.Add(new Notice
        {
            Id = id, ServiceId = "added-rows", FiscalCode = "RSSMRA85T10A562S", Subject = "Tassa sui rifiuti", Markdown = "**Scade** il 31",
            DueDate = new DateOnly(2027, 1, 31), Category = "tributi", DefaultEmail = null, TimeToLiveSeconds = 86_400,
            AcceptedAt = now, SendAt = new DateTimeOffset(2027, 1, 2, 8, 30, 0, TimeSpan.Zero), ExpiresAt = now.AddDays(1), Urgent = true,
            ContentSha256 = new string('a', 64), StatusDetail = "détail «accentato»", ReadReceipts = true, Test = true,
            Reference = "REF-1", ProtocolNumber = "2026/123", ProtocolDate = new DateOnly(2026, 12, 1), SmsReservedSegments = 4,
            SmsBudgetMonth = new DateOnly(2026, 12, 1), TemplateId = null, ReminderBefore = "P7D", Sensitive = true,
            Omissions = [new NoticeOmission { Channel = Channels.Sms, Reason = "SMS_BUDGET_EXHAUSTED" }],
            Variants = [new NoticeVariant { Language = "de", Subject = "Müllgebühr", Markdown = "fällig", ContentSha256 = new string('b', 64) }],
        });
        db.NoticeChannels.Add(new NoticeChannel
        {
            NoticeId = id, Channel = Channels.Email, Status = ChannelStatus.Deferred, UpdatedAt = now, CostEuro = 0.0455m,
            DeferredUntil = new DateTimeOffset(2027, 1, 2, 7, 0, 0, TimeSpan.Zero),
        });
        db.Record(id, NoticeEventTypes.Accepted, now, detail: "content_sha256 aaaa");
        db.Record(id, NoticeEventTypes.Deferred, now, Channels.Email);
        db.Outbox.Add(OutboxMessages.Create(AuditTrail.StatusChanged(id, "added-rows", NoticeStatus.Accepted, now), "00-trace-span-01", now,
            notBefore: now.AddMinutes(5), noticeId: id));
        db.IdempotencyKeys.Add(new IdempotencyKey { ServiceId = "added-rows", Key = $"key-{key}", RequestSha256 = new string('c', 64), NoticeId = id, CreatedAt = now });
    }

    /// <summary>The rows of a table for a notice as JSON, without the columns that differ by construction (keys, ids in payloads).</summary>
    private static async Task<List<string>> RowsAsync(GatewayDbContext db, string table, Guid noticeId)
    {
        // Table names from the fixed list above, never from input.
        var sql = "SELECT (to_jsonb(t) - 'id' - 'notice_id' - 'sequence' - 'key' - 'payload')::text AS \"Value\" FROM " + table + " t WHERE "
            + (table == "notices" ? "id" : "notice_id") + " = {0} ORDER BY 1";
        return await db.Database.SqlQueryRaw<string>(sql, noticeId).ToListAsync();
    }

    private static async Task<IHost> StartAsync(PostgresTestDatabase database)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Gateway"] = database.ConnectionString, ["Gateway:Database:Provider"] = "PostgreSql",
        });
        builder.AddNotificheDatabase<GatewayDbContext>("Gateway");
        var host = builder.Build();
        await host.Services.PrepareDatabaseAsync<GatewayDbContext>();
        return host;
    }
}
