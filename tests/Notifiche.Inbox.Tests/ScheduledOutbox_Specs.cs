using System.Data.Common;
using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Notifiche.Contracts;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Observability;
using Notifiche.Gateway.Outbox;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

/// <summary>
/// Scheduled send (issue 17, point 2): a notice's <see cref="NoticeSubmitted"/> waits in the outbox with a not-before
/// time. The relay publishes it once due, without an in-process wake-up, finds the due rows by index however many rows are
/// scheduled for later, and counts a row scheduled for later as waiting, not stuck.
/// </summary>
public class Relaying_scheduled_outbox_rows
{
    private PostgresTestDatabase _database = null!;
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;
    private readonly OutboxCommands _commands = new();

    [SetUp]
    public async Task StartAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync("outbox_scheduled");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddDbContext<GatewayDbContext>(o => o.UseNpgsql(_database.ConnectionString).UseSnakeCaseNamingConvention().AddInterceptors(_commands));
        services.AddMassTransitTestHarness();
        _provider = services.BuildServiceProvider();
        await using (var scope = _provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Database.MigrateAsync();
        }

        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _provider.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Test]
    public async Task Should_publish_a_scheduled_row_once_it_is_due_without_a_wake_up_and_not_count_it_as_stuck_before()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (now, later) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await AddAsync(Submitted(now, clock.GetUtcNow()), clock.GetUtcNow(), notBefore: null);
        await AddAsync(Submitted(later, clock.GetUtcNow()), clock.GetUtcNow(), notBefore: clock.GetUtcNow().AddHours(1));

        var metrics = new GatewayMetrics(_provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        using var relay = Relay(clock, metrics);
        await relay.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.Until(() => PublishedAsync(now), p => p, TimeSpan.FromSeconds(30), "the row due at once published");
            // Well past the readiness bound (StuckAfter, one minute) and many sweeps later, the scheduled row is still waiting.
            clock.Advance(TimeSpan.FromMinutes(59));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.That(Published(later), Is.Zero, "not published before its not-before time");
            Assert.That(await _database.CountAsync("outbox"), Is.EqualTo(1));
            Assert.That(metrics.Outbox, Is.EqualTo((0L, TimeSpan.Zero)), "a row scheduled for later is waiting, not stuck: readiness stays up");

            // Due now: no OutboxSignal.Notify, only the relay's own sweep finds it.
            clock.Advance(TimeSpan.FromMinutes(1));
            await Eventually.Until(() => PublishedAsync(later), p => p, TimeSpan.FromSeconds(30), "the scheduled row published once due");
            await Eventually.Until(() => _database.CountAsync("outbox"), n => n == 0, TimeSpan.FromSeconds(30), "published rows removed");
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await relay.StopAsync(stopping.Token);
        }

        Assert.That(Published(later), Is.EqualTo(1));
    }

    [Test]
    public async Task Should_find_the_due_rows_by_index_with_many_rows_scheduled_for_later()
    {
        // A month of scheduled notices ahead of the one due row: the relay's queries must not read through them.
        await using (var connection = new NpgsqlConnection(_database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO outbox (message_type, payload, created_at, not_before)
                SELECT 'scheduled', '{}', now(), now() + make_interval(mins => n) FROM generate_series(1, 20000) AS n;
                """, connection);
            await insert.ExecuteNonQueryAsync();
        }

        var due = Guid.CreateVersion7();
        await AddAsync(Submitted(due, DateTimeOffset.UtcNow), DateTimeOffset.UtcNow, notBefore: null);
        await using (var connection = new NpgsqlConnection(_database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var analyze = new NpgsqlCommand("ANALYZE outbox", connection);
            await analyze.ExecuteNonQueryAsync();
        }

        var metrics = new GatewayMetrics(_provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        using var relay = Relay(TimeProvider.System, metrics);
        await relay.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.Until(() => PublishedAsync(due), p => p, TimeSpan.FromSeconds(30), "the due row published");
            await Eventually.Until(() => Task.FromResult(_commands.Reading.Count), n => n >= 3, TimeSpan.FromSeconds(30), "batch and observation queries seen");
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await relay.StopAsync(stopping.Token);
        }

        Assert.That(await _database.CountAsync("outbox"), Is.EqualTo(20_000), "only the due row was published");
        Assert.That(_commands.Reading.Select(c => c.Sql), Has.Some.Contains("FOR UPDATE SKIP LOCKED"), "the batch query was seen");
        foreach (var (sql, parameters) in _commands.Reading.DistinctBy(c => c.Sql))
        {
            var plan = await ExplainAsync(sql, parameters);
            Assert.That(plan, Does.Contain("ix_outbox_not_before_id"), $"{sql}\n{plan}");
            Assert.That(plan, Does.Not.Contain("Seq Scan"), $"{sql}\n{plan}");
        }
    }

    private OutboxRelay Relay(TimeProvider clock, GatewayMetrics metrics) =>
        new(_provider.GetRequiredService<IServiceScopeFactory>(), _harness.Bus, new OutboxSignal(),
            Options.Create(new OutboxOptions { SweepInterval = TimeSpan.FromMilliseconds(200) }), metrics, clock, NullLogger<OutboxRelay>.Instance);

    private static NoticeSubmitted Submitted(Guid id, DateTimeOffset at) => new()
    {
        NoticeId = id, ServiceId = "anagrafe-scheduled", ServiceName = "Anagrafe", OrganizationName = "Comune di Prova",
        AllowedChannels = [Channels.Email], FiscalCode = Citizens.NewFiscalCode(), Subject = "Avviso", Markdown = "Testo",
        AcceptedAt = at, ExpiresAt = at.AddDays(8),
    };

    private async Task AddAsync(NoticeSubmitted message, DateTimeOffset now, DateTimeOffset? notBefore)
    {
        await using var scope = _provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        db.Outbox.Add(OutboxMessages.Create(message, null, now, notBefore));
        await db.SaveChangesAsync();
    }

    /// <summary>What the harness has seen so far (no waiting: a row not yet due must be seen as not published).</summary>
    private int Published(Guid id) => _harness.Published.Select<NoticeSubmitted>().Count(m => m.Context.Message.NoticeId == id);

    private Task<bool> PublishedAsync(Guid id) => Task.FromResult(Published(id) > 0);

    private async Task<string> ExplainAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using var explain = new NpgsqlCommand($"EXPLAIN (FORMAT JSON) {sql}", connection, tx);
        foreach (var (name, value) in parameters)
        {
            explain.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var plan = (string)(await explain.ExecuteScalarAsync())!;
        return JsonSerializer.Serialize(JsonDocument.Parse(plan));
    }

    /// <summary>The relay's reads of the outbox (its batch, its backlog count, its oldest due row), as sent to PostgreSQL.</summary>
    private sealed class OutboxCommands : DbCommandInterceptor
    {
        private readonly List<(string Sql, IReadOnlyList<(string Name, object? Value)> Parameters)> _reading = [];

        public IReadOnlyList<(string Sql, IReadOnlyList<(string Name, object? Value)> Parameters)> Reading
        {
            get
            {
                lock (_reading)
                {
                    return [.. _reading];
                }
            }
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("FROM outbox WHERE not_before", StringComparison.Ordinal))
            {
                lock (_reading)
                {
                    _reading.Add((command.CommandText, [.. command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value))]));
                }
            }

            return ValueTask.FromResult(result);
        }
    }
}
