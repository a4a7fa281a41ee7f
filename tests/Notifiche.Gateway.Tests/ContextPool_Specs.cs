using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.Gateway.Data;
using Notifiche.Persistence;

namespace Notifiche.Gateway.Tests;

/// <summary>Issue 15: a service's contexts come from a pool, and every rent is set up as our code expects.</summary>
public class Pooling_database_contexts
{
    [Test]
    public async Task Should_reuse_a_context_across_scopes_with_savepoints_off_on_every_rent()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:Gateway"] = "Data Source=:memory:";
        builder.Configuration["Gateway:Database:Provider"] = "Sqlite";
        builder.AddNotificheDatabase<GatewayDbContext>("Gateway");
        using var host = builder.Build();

        GatewayDbContext first;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            Assert.That(first.Database.AutoSavepointsEnabled, Is.False);
            Assert.That(scope.ServiceProvider.GetRequiredService<GatewayDbContext>(), Is.SameAs(first), "one context per scope");
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var second = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            Assert.That(second, Is.SameAs(first), "the context returned to the pool is rented again");
            // EF Core resets a returned context to its defaults (savepoints on); the rent sets ours again.
            Assert.That(second.Database.AutoSavepointsEnabled, Is.False);
        }
    }
}
