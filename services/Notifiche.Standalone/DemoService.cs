using Microsoft.EntityFrameworkCore;
using Notifiche.Contracts;
using Notifiche.Gateway.Data;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Notifiche.Gateway.Registry;
using Notifiche.ServiceDefaults;

namespace Notifiche.Standalone;

/// <summary>
/// On first start registers a demo service and saves its API key in the data folder (keys are stored hashed,
/// so the file is the only copy); every start prints how to use it. Runs as a hosted service added after the gateway,
/// so the gateway's schema is there.
/// </summary>
public sealed class DemoService(IServiceProvider services, IHostApplicationLifetime lifetime, StandaloneKeys keys,
    IServer server, DataDirectory data, IConfiguration configuration) : IHostedService
{
    public const string Id = "demo";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var demoKey = await EnsureAsync(services, data.Path);
        lifetime.ApplicationStarted.Register(() =>
            Banner.Print(server.Features.Get<IServerAddressesFeature>()!.Addresses, ManagementPort.Of(configuration), data.Path, demoKey, keys));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<string> EnsureAsync(IServiceProvider services, string dataDirectory)
    {
        var keyFile = Path.Combine(dataDirectory, "demo-api-key.txt");
        await using var scope = services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<ServiceRegistry>();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        if (await registry.ExistsAsync(Id, CancellationToken.None) && File.Exists(keyFile))
        {
            return (await File.ReadAllTextAsync(keyFile)).Trim();
        }

        // A database without the key file (deleted by hand): start the demo service afresh.
        await db.Services.Where(s => s.Id == Id).ExecuteDeleteAsync();
        // Live at once (no sandbox): the demo must reach any codice fiscale the README's examples use.
        var key = (await registry.CreateAsync(new ServiceRecord
        {
            Id = Id, Name = "Servizio dimostrativo", OrganizationName = "Comune di Esempio", OrganizationFiscalCode = "01199250158",
            ContactEmail = "demo@comune.example.it", AllowedChannels = [.. Channels.All], State = ServiceStates.Active,
        }, CancellationToken.None)).Secret;
        await File.WriteAllTextAsync(keyFile, key + Environment.NewLine);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return key;
    }
}

/// <summary>The standalone host's data folder (databases, mail, SMS and push recordings, the demo key).</summary>
public sealed record DataDirectory(string Path);
