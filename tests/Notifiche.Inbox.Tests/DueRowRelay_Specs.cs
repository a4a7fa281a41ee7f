using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Observability;
using Notifiche.Gateway.Outbox;
using Notifiche.Preferences.Data;
using Notifiche.Preferences.Deferral;
using Notifiche.Preferences.Holding;
using Notifiche.Preferences.Observability;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

/// <summary>
/// Issue 13: after a broker SIGKILL, RabbitMQ.Client 7.2 can leave a publish awaiting its confirm for ever. A relay
/// must not wait for it with its whole backlog behind it — the gateway's outbox and preferences' deferred dispatches
/// alike (both are a <see cref="Notifiche.Persistence.DueRowRelay{TContext, TRow}"/>).
/// </summary>
public class Relaying_due_rows_when_a_publish_never_completes
{
    [Test]
    public async Task Should_publish_the_batch_again_once_the_publish_timeout_has_passed()
    {
        await using var database = await PostgresTestDatabase.CreateAsync("outbox_stuck");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddDbContext<GatewayDbContext>(o => o.UseNpgsql(database.ConnectionString).UseSnakeCaseNamingConvention());
        services.AddMassTransitTestHarness();
        await using var provider = services.BuildServiceProvider();
        await using (var scope = provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Database.MigrateAsync();
        }

        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var stuck = new FirstPublishNeverCompletes();
        harness.Bus.ConnectPublishObserver(stuck);

        var id = Guid.CreateVersion7();
        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            var now = DateTimeOffset.UtcNow;
            db.Outbox.Add(OutboxMessages.Create(new NoticeSubmitted
            {
                NoticeId = id, ServiceId = "anagrafe-stuck", ServiceName = "Anagrafe", OrganizationName = "Comune di Prova",
                AllowedChannels = [Channels.Email], FiscalCode = Citizens.NewFiscalCode(), Subject = "Avviso", Markdown = "Testo",
                AcceptedAt = now, ExpiresAt = now.AddHours(1),
            }, null, now));
            await db.SaveChangesAsync();
        }

        var options = Options.Create(new OutboxOptions { PublishTimeout = TimeSpan.FromSeconds(1), SweepInterval = TimeSpan.FromMilliseconds(200) });
        using var relay = new OutboxRelay(provider.GetRequiredService<IServiceScopeFactory>(), harness.Bus, new OutboxSignal(), options,
            new GatewayMetrics(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), TimeProvider.System, NullLogger<OutboxRelay>.Instance);
        await RunUntilEmptyAsync(relay, () => database.CountAsync("outbox"));

        Assert.That(stuck.Attempts, Is.GreaterThanOrEqualTo(2), "the first publish hung; the row went out on a later one");
        Assert.That(await harness.Published.Any<NoticeSubmitted>(m => m.Context.Message.NoticeId == id), Is.True);
    }

    [Test]
    public async Task Should_publish_a_deferred_dispatch_again_once_the_publish_timeout_has_passed()
    {
        await using var database = await PostgresTestDatabase.CreateAsync("deferred_stuck");
        await using var provider = await PreferencesAsync(database);
        var harness = provider.GetRequiredService<ITestHarness>();
        var stuck = new FirstPublishNeverCompletes();
        harness.Bus.ConnectPublishObserver(stuck);

        var id = Guid.CreateVersion7();
        await DeferSmsAsync(provider, id, TimeSpan.FromSeconds(1));

        var options = Options.Create(new QuietHoursOptions { PublishTimeout = TimeSpan.FromSeconds(1), SweepInterval = TimeSpan.FromMilliseconds(200) });
        using var relay = new DeferredDispatchRelay(provider.GetRequiredService<IServiceScopeFactory>(), harness.Bus, options,
            new DeferredDispatchMetrics(provider.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<DeferredDispatchRelay>.Instance);
        await RunUntilEmptyAsync(relay, () => database.CountAsync("deferred_dispatches"));

        Assert.That(stuck.Attempts, Is.GreaterThanOrEqualTo(2), "the first publish hung; the row went out on a later one");
        Assert.That(await harness.Published.Any<SendSms>(m => m.Context.Message.NoticeId == id), Is.True);
    }

    [Test]
    public async Task Should_report_deferred_dispatches_stuck_while_the_broker_refuses_them()
    {
        await using var database = await PostgresTestDatabase.CreateAsync("deferred_refused");
        await using var provider = await PreferencesAsync(database);
        var harness = provider.GetRequiredService<ITestHarness>();
        var refusing = new EveryPublishFails();
        harness.Bus.ConnectPublishObserver(refusing);
        await DeferSmsAsync(provider, Guid.CreateVersion7(), TimeSpan.FromSeconds(5));

        var options = Options.Create(new QuietHoursOptions
        {
            PublishTimeout = TimeSpan.FromSeconds(1), SweepInterval = TimeSpan.FromMilliseconds(200), StuckAfter = TimeSpan.FromSeconds(3),
        });
        var metrics = new DeferredDispatchMetrics(provider.GetRequiredService<IMeterFactory>());
        var health = new DeferredDispatchHealthCheck(metrics, options);
        using var relay = new DeferredDispatchRelay(provider.GetRequiredService<IServiceScopeFactory>(), harness.Bus, options, metrics,
            TimeProvider.System, NullLogger<DeferredDispatchRelay>.Instance);
        await relay.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.Until(async () => (await health.CheckHealthAsync(new HealthCheckContext())).Status, s => s == HealthStatus.Unhealthy,
                TimeSpan.FromSeconds(30), "readiness reports the relay stuck");
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await relay.StopAsync(stopping.Token);
        }

        Assert.That(metrics.Due.Backlog, Is.EqualTo(1));
        Assert.That(metrics.Due.OldestAge, Is.GreaterThan(TimeSpan.FromSeconds(3)));
        Assert.That(refusing.Attempts, Is.GreaterThanOrEqualTo(1));
        Assert.That(await database.CountAsync("deferred_dispatches"), Is.EqualTo(1), "the row stays until it can be published");
    }

    [Test]
    public async Task Should_report_released_held_notices_the_relay_cannot_publish()
    {
        await using var database = await PostgresTestDatabase.CreateAsync("held_refused");
        await using var provider = await PreferencesAsync(database);
        var harness = provider.GetRequiredService<ITestHarness>();
        var refusing = new EveryPublishFails();
        harness.Bus.ConnectPublishObserver(refusing);
        var fiscalCode = Citizens.NewFiscalCode();
        var now = DateTimeOffset.UtcNow;
        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PreferencesDbContext>();
            // Held for a citizen without a profile (not due: not counted), then released as their profile is created.
            Assert.That(await HeldNotices.HoldAsync(db, new NoticeSubmitted
            {
                NoticeId = Guid.CreateVersion7(), ServiceId = "tributi-held", ServiceName = "Tributi", OrganizationName = "Regione di Prova",
                AllowedChannels = [Channels.Email], FiscalCode = fiscalCode, Subject = "Avviso", Markdown = "Testo",
                AcceptedAt = now.AddMinutes(-1), ExpiresAt = now.AddDays(1), HoldUntilRegistered = true,
            }, now, CancellationToken.None), Is.Null);
        }

        var options = Options.Create(new HeldNoticesOptions { PublishTimeout = TimeSpan.FromSeconds(1), SweepInterval = TimeSpan.FromMilliseconds(200) });
        var metrics = new HeldNoticeMetrics(provider.GetRequiredService<IMeterFactory>());
        using var relay = new HeldNoticeRelay(provider.GetRequiredService<IServiceScopeFactory>(), harness.Bus, options, metrics,
            TimeProvider.System, NullLogger<HeldNoticeRelay>.Instance);
        await relay.StartAsync(CancellationToken.None);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.That(metrics.Due.Backlog, Is.Zero, "a notice still waiting for its citizen is not due");
            await using (var scope = provider.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<PreferencesDbContext>();
                await using var tx = await db.Database.BeginTransactionAsync();
                await HeldNotices.ReleaseAsync(db, fiscalCode, CancellationToken.None);
                await tx.CommitAsync();
            }

            await Eventually.Until(() => Task.FromResult(metrics.Due), due => due.Backlog == 1, TimeSpan.FromSeconds(30),
                "the released notice reported due and unpublished");
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await relay.StopAsync(stopping.Token);
        }

        Assert.That(metrics.Due.OldestAge, Is.GreaterThanOrEqualTo(TimeSpan.FromMinutes(1)), "due since its acceptance, so it keeps its place");
        Assert.That(refusing.Attempts, Is.GreaterThanOrEqualTo(1));
        Assert.That(await database.CountAsync("held_notices"), Is.EqualTo(1), "the row stays until it can be published");
    }

    /// <summary>Stands for a broker that refuses every publish (a permission missing, an exchange gone).</summary>
    private sealed class EveryPublishFails : IPublishObserver
    {
        private int _attempts;

        public int Attempts => _attempts;

        public Task PrePublish<T>(PublishContext<T> context)
            where T : class
        {
            Interlocked.Increment(ref _attempts);
            throw new InvalidOperationException("refused");
        }

        public Task PostPublish<T>(PublishContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }

    /// <summary>Preferences' database, migrated, and a started test harness bus.</summary>
    private static async Task<ServiceProvider> PreferencesAsync(PostgresTestDatabase database)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddDbContext<PreferencesDbContext>(o => o.UseNpgsql(database.ConnectionString).UseSnakeCaseNamingConvention());
        services.AddMassTransitTestHarness();
        var provider = services.BuildServiceProvider();
        await using (var scope = provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PreferencesDbContext>().Database.MigrateAsync();
        }

        await provider.GetRequiredService<ITestHarness>().Start();
        return provider;
    }

    /// <summary>A deferred SMS for the notice, due since <paramref name="dueFor"/>.</summary>
    private static async Task DeferSmsAsync(IServiceProvider provider, Guid noticeId, TimeSpan dueFor)
    {
        var now = DateTimeOffset.UtcNow;
        var (type, payload) = DeferredCommands.Write(new SendSms
        {
            NoticeId = noticeId, ServiceId = "anagrafe-deferred", ServiceName = "Anagrafe", PhoneNumber = "+393471234567", Subject = "Avviso",
            ExpiresAt = now.AddHours(1),
        });
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PreferencesDbContext>();
        db.DeferredDispatches.Add(new DeferredDispatch
        {
            NoticeId = noticeId, Channel = Channels.Sms, MessageType = type, Payload = payload, NotBefore = now - dueFor,
            ExpiresAt = now.AddHours(1), CreatedAt = now,
        });
        await db.SaveChangesAsync();
    }

    private static async Task RunUntilEmptyAsync(Microsoft.Extensions.Hosting.BackgroundService relay, Func<Task<long>> rows)
    {
        await relay.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.Until(rows, n => n == 0, TimeSpan.FromSeconds(30), "the row published and removed");
        }
        finally
        {
            // Bounded: a relay stuck in the publish would otherwise keep the spec waiting instead of failing it.
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await relay.StopAsync(stopping.Token);
        }
    }

    /// <summary>Stands for the client's lost confirm: the first publish waits for ever, later ones go through.</summary>
    private sealed class FirstPublishNeverCompletes : IPublishObserver
    {
        private int _attempts;

        public int Attempts => _attempts;

        public Task PrePublish<T>(PublishContext<T> context)
            where T : class =>
            Interlocked.Increment(ref _attempts) == 1 ? new TaskCompletionSource().Task : Task.CompletedTask;

        public Task PostPublish<T>(PublishContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }
}
