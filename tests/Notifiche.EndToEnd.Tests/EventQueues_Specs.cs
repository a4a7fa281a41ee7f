using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifiche.Contracts;
using Notifiche.Gateway;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Registry;
using Notifiche.Messaging;
using Notifiche.Persistence;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Issue 13, point 3: a first deployment whose dispatchers and routing start before the gateway ever has. The events they
/// publish meanwhile wait in the gateway's queues (bound at publish time) and are applied once it starts.
/// </summary>
public class Publishing_events_before_their_consumer_ever_started
{
    [Test]
    public async Task Should_keep_them_in_the_consumers_queues_and_deliver_them_once_it_starts()
    {
        await using var vhost = await RabbitMqTestVhost.CreateAsync("first-deploy");
        await using var database = await PostgresTestDatabase.CreateAsync("first_deploy");
        var noticeId = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;

        // A service with no consumers at all publishes, on a vhost where nothing was ever declared.
        await using (var publisher = await StartAsync(vhost, b => b.AddNotificheBus()))
        {
            var bus = publisher.Services.GetRequiredService<IBus>();
            await bus.Publish(new NoticeRouted { NoticeId = noticeId, Channels = [Channels.Email], RoutedAt = now });
            await bus.Publish(new NotificationSent { NoticeId = noticeId, Channel = Channels.Email, SentAt = now.AddSeconds(1) });
            await publisher.StopAsync();
        }

        // The management API's counts are sampled every few seconds.
        foreach (var queue in new[] { EventQueues.NoticeRouted, EventQueues.NotificationSent })
        {
            await Eventually.Until(() => vhost.MessagesReadyAsync(queue), ready => ready == 1, TimeSpan.FromSeconds(30), $"the event waiting in {queue}");
        }

        await using var gateway = await StartAsync(vhost, b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Gateway"] = database.ConnectionString, ["Gateway:Database:Provider"] = "PostgreSql",
                // Without its keys the gateway does not start (issue 16).
                ["Gateway:OperatorKey"] = TestSettings.OperatorKey, ["Gateway:AppBackendKey"] = TestSettings.AppBackendKey,
            });
            b.AddGateway();
            b.AddNotificheBus(bus => bus.AddGatewayConsumers());
        }, async app =>
        {
            await app.Services.PrepareDatabaseAsync<GatewayDbContext>();
            await StoreAcceptedNoticeAsync(app.Services, noticeId, now);
        });

        try
        {
            var stored = await Eventually.Until(() => StoredAsync(gateway.Services, noticeId),
                n => n.Channels.Any(c => c.Status == ChannelStatus.Sent), TimeSpan.FromSeconds(60), "the routed and sent events applied");
            Assert.That(stored.Status, Is.EqualTo(NoticeStatus.Processed));
            await using var scope = gateway.Services.CreateAsyncScope();
            var events = await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().NoticeEvents.AsNoTracking()
                .Where(e => e.NoticeId == noticeId).OrderBy(e => e.Sequence).Select(e => e.Type).ToListAsync();
            Assert.That(events, Is.EqualTo(new[] { NoticeEventTypes.Accepted, NoticeEventTypes.Routed, NoticeEventTypes.Sent }));
        }
        finally
        {
            await gateway.StopAsync();
        }
    }

    private static async Task StoreAcceptedNoticeAsync(IServiceProvider services, Guid id, DateTimeOffset now)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        db.Services.Add(new ServiceRecord { Id = "first-deploy", Name = "Anagrafe", OrganizationName = "Comune di Prova", CreatedAt = now });
        db.Notices.Add(new Notice
        {
            Id = id, ServiceId = "first-deploy", FiscalCode = NoticeApi.FiscalCode, Subject = "Avviso al primo avvio",
            Markdown = new string('m', 80), DefaultEmail = "first-deploy@example.it", TimeToLiveSeconds = 3600, AcceptedAt = now.AddSeconds(-1),
            ExpiresAt = now.AddHours(1), ContentSha256 = new string('0', 64),
        });
        db.NoticeEvents.Add(new NoticeEvent { NoticeId = id, Type = NoticeEventTypes.Accepted, At = now.AddSeconds(-1) });
        await db.SaveChangesAsync();
    }

    private static async Task<Notice> StoredAsync(IServiceProvider services, Guid id)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Notices.AsNoTracking().Include(n => n.Channels)
            .SingleAsync(n => n.Id == id);
    }

    /// <summary>A host on this vhost, composed by <paramref name="add"/> as a service's Program.cs composes it.</summary>
    private static async Task<WebApplication> StartAsync(RabbitMqTestVhost vhost, Action<WebApplicationBuilder> add,
        Func<WebApplication, Task>? prepare = null)
    {
        // MassTransit creates a bus with the ambient log context (an AsyncLocal) when there is one: here, a stopped host's.
        LogContext.Current = null;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing", ContentRootPath = Directory.CreateTempSubdirectory("notifiche-first-deploy-").FullName,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RabbitMq:Host"] = TestEnvironment.RabbitMqHost,
            ["Messaging:RabbitMq:Port"] = TestEnvironment.RabbitMqPort.ToString(),
            ["Messaging:RabbitMq:VirtualHost"] = vhost.Name,
            ["Messaging:RabbitMq:Username"] = TestEnvironment.RabbitMqUser,
            ["Messaging:RabbitMq:Password"] = TestEnvironment.RabbitMqPassword,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(LogCapture.Instance);
        add(builder);
        var app = builder.Build();
        if (prepare is not null)
        {
            await prepare(app);
        }

        await app.StartAsync();
        return app;
    }
}
