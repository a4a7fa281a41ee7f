using Microsoft.EntityFrameworkCore;
using Notifiche.Contracts;
using Notifiche.Gateway.Data;

namespace Notifiche.Gateway.Registry;

public sealed record NewService(string Id, string Name, string OrganizationName, IReadOnlyList<string> AllowedChannels);

/// <summary>The registry of sending services and their keys.</summary>
public sealed class ServiceRegistry(GatewayDbContext db, TimeProvider clock)
{
    /// <summary>Registers a service and issues its first API key; the secret is returned once and never stored.</summary>
    public async Task<string> CreateAsync(NewService service, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        db.Services.Add(new ServiceRecord
        {
            Id = service.Id,
            Name = service.Name,
            OrganizationName = service.OrganizationName,
            AllowedChannels = [.. service.AllowedChannels],
            CreatedAt = now,
        });
        var secret = ApiKeys.NewSecret();
        db.ApiKeys.Add(new ApiKey { Id = Guid.CreateVersion7(), ServiceId = service.Id, KeyHash = ApiKeys.Hash(secret), CreatedAt = now });
        await db.SaveChangesAsync(ct);
        return secret;
    }

    public Task<ServiceRecord?> FindAsync(string serviceId, CancellationToken ct) =>
        db.Services.AsNoTracking().FirstOrDefaultAsync(s => s.Id == serviceId, ct);

    public Task<bool> ExistsAsync(string serviceId, CancellationToken ct) =>
        db.Services.AnyAsync(s => s.Id == serviceId, ct);

    /// <summary>The service owning an unrevoked key with this secret, or null.</summary>
    public async Task<ServiceRecord?> FindByKeyAsync(string secret, CancellationToken ct)
    {
        var hash = ApiKeys.Hash(secret);
        // One round trip per request: this runs for every call of the API.
        return await db.ApiKeys.AsNoTracking()
            .Where(k => k.KeyHash == hash && k.RevokedAt == null)
            .Join(db.Services, k => k.ServiceId, s => s.Id, (_, service) => service)
            .FirstOrDefaultAsync(ct);
    }

    public static IReadOnlyList<string> DefaultChannels => [Channels.Email];
}
