using Microsoft.EntityFrameworkCore;
using Notifiche.Contracts;
using Notifiche.Gateway.Data;

namespace Notifiche.Gateway.Registry;

/// <summary>A key as issued: the secret is returned once and never stored.</summary>
public sealed record IssuedKey(Guid KeyId, string Secret, DateTimeOffset? ExpiresAt, string Type = KeyTypes.Live);

/// <summary>Who an API key authenticates: its service, and the key's type (<see cref="KeyTypes"/>).</summary>
public sealed record KeyHolder(ServiceRecord Service, string KeyType)
{
    public bool IsTest => KeyType == KeyTypes.Test;
}

/// <summary>The registry of sending services and their keys.</summary>
public sealed class ServiceRegistry(GatewayDbContext db, ServiceKeyCache keys, TimeProvider clock)
{
    /// <summary>Keys of one type that authenticate at once: two let a service rotate without downtime.</summary>
    public const int MaxActiveKeys = 2;

    /// <summary>Registers a service and issues its first API key.</summary>
    public async Task<IssuedKey> CreateAsync(ServiceRecord service, CancellationToken ct)
    {
        service.CreatedAt = clock.GetUtcNow();
        db.Services.Add(service);
        var key = AddKey(service.Id, expiresAt: null);
        await db.SaveChangesAsync(ct);
        keys.Forget();
        return key;
    }

    public Task<bool> ExistsAsync(string serviceId, CancellationToken ct) =>
        db.Services.AnyAsync(s => s.Id == serviceId, ct);

    /// <summary>A service, tracked: change it and call <see cref="SaveAsync"/>.</summary>
    public Task<ServiceRecord?> FindAsync(string serviceId, CancellationToken ct) =>
        db.Services.FirstOrDefaultAsync(s => s.Id == serviceId, ct);

    public Task<List<ServiceRecord>> ListAsync(CancellationToken ct) =>
        db.Services.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);

    public async Task SaveAsync(ServiceRecord service, CancellationToken ct)
    {
        service.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        keys.Forget();
    }

    /// <summary>
    /// The service owning an unrevoked, unexpired key with this secret, with the key's type, or null. This runs for every call of the API:
    /// an authenticated key is remembered for <see cref="KeyCacheOptions.CacheFor"/> (<see cref="ServiceKeyCache"/>), so
    /// the returned record is shared and must not be changed.
    /// </summary>
    public async Task<KeyHolder?> FindByKeyAsync(string secret, CancellationToken ct)
    {
        var hash = ApiKeys.Hash(secret);
        if (keys.TryGet(hash, out var cached))
        {
            return cached;
        }

        var generation = keys.Generation;
        var readAt = clock.GetUtcNow();
        // Expiry is compared here, not in SQL, because SQLite (the embedded default) cannot translate a DateTimeOffset comparison.
        var found = await db.ApiKeys.AsNoTracking()
            .Where(k => k.KeyHash == hash && k.RevokedAt == null)
            .Join(db.Services.AsNoTracking(), k => k.ServiceId, s => s.Id, (key, service) => new { key.ExpiresAt, key.Type, Service = service })
            .FirstOrDefaultAsync(ct);
        if (found is null)
        {
            return null;
        }

        var holder = new KeyHolder(found.Service, found.Type);
        keys.Remember(hash, holder, found.ExpiresAt, generation, readAt);
        return found.ExpiresAt <= clock.GetUtcNow() ? null : holder;
    }

    /// <summary>
    /// Issues another key of <paramref name="type"/>, unless the service already has <see cref="MaxActiveKeys"/> active
    /// ones of that type (then null): test keys do not take a live key's place in a rotation.
    /// </summary>
    public async Task<IssuedKey?> IssueKeyAsync(string serviceId, DateTimeOffset? expiresAt, CancellationToken ct, string type = KeyTypes.Live)
    {
        var now = clock.GetUtcNow();
        if ((await KeysAsync(serviceId, ct)).Count(k => k.Type == type && k.IsActiveAt(now)) >= MaxActiveKeys)
        {
            return null;
        }

        var key = AddKey(serviceId, expiresAt, type);
        await db.SaveChangesAsync(ct);
        keys.Forget();
        return key;
    }

    public async Task<List<ApiKey>> KeysAsync(string serviceId, CancellationToken ct) =>
        [.. (await db.ApiKeys.Where(k => k.ServiceId == serviceId).ToListAsync(ct)).OrderBy(k => k.CreatedAt)];

    /// <summary>Revokes a key at once (the next request with it gets 401); revoking twice keeps the first time.</summary>
    public async Task<ApiKey?> RevokeKeyAsync(string serviceId, Guid keyId, CancellationToken ct)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.ServiceId == serviceId && k.Id == keyId, ct);
        if (key is { RevokedAt: null })
        {
            key.RevokedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(ct);
            keys.Forget();
        }

        return key;
    }

    private IssuedKey AddKey(string serviceId, DateTimeOffset? expiresAt, string type = KeyTypes.Live)
    {
        var secret = ApiKeys.NewSecret();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(), ServiceId = serviceId, KeyHash = ApiKeys.Hash(secret), CreatedAt = clock.GetUtcNow(), ExpiresAt = expiresAt,
            Type = type,
        };
        db.ApiKeys.Add(key);
        return new IssuedKey(key.Id, secret, expiresAt, type);
    }

    public static IReadOnlyList<string> DefaultChannels => [Channels.Email];
}
