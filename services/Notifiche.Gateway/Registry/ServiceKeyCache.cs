using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Notifiche.Gateway.Registry;

public sealed class KeyCacheOptions
{
    public const string Section = "Gateway:Keys";

    /// <summary>
    /// How long a gateway instance trusts what it read for an API key (its service's state, limits, channels, and
    /// that the key is not revoked) before reading it again. A change made through this instance takes effect at once;
    /// on other instances within this time. Zero reads the database on every request.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The authenticated API keys this gateway instance looked up lately (by SHA-256 of the secret, never the secret), so that
/// a request does not cost a database round trip for its key. Entries live <see cref="KeyCacheOptions.CacheFor"/>; any
/// change to the registry made here forgets them all. Unknown keys are not remembered: a new key works at once.
/// </summary>
public sealed class ServiceKeyCache(IOptions<KeyCacheOptions> options, TimeProvider clock)
{
    /// <summary>Stops the cache from growing without bound when many keys are used at once (forgets everything then).</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    // Bumped by every local change: a lookup that started before it must not store what it read.
    private long _generation;

    private sealed record Entry(KeyHolder Holder, DateTimeOffset? KeyExpiresAt, DateTimeOffset ReadAt);

    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The service of a key looked up less than <see cref="KeyCacheOptions.CacheFor"/> ago; false when not cached.</summary>
    public bool TryGet(string keyHash, out KeyHolder? holder)
    {
        holder = null;
        if (!_entries.TryGetValue(keyHash, out var entry))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        if (now - entry.ReadAt >= options.Value.CacheFor)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(keyHash, entry));
            return false;
        }

        holder = entry.KeyExpiresAt <= now ? null : entry.Holder;
        return true;
    }

    /// <summary>Remembers an authenticated key, unless the registry changed here since <paramref name="generation"/>.</summary>
    public void Remember(string keyHash, KeyHolder holder, DateTimeOffset? keyExpiresAt, long generation, DateTimeOffset readAt)
    {
        if (options.Value.CacheFor <= TimeSpan.Zero)
        {
            return;
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[keyHash] = new Entry(holder, keyExpiresAt, readAt);
        if (Generation != generation)
        {
            _entries.TryRemove(keyHash, out _);
        }
    }

    /// <summary>A service or key changed through this instance: read everything again.</summary>
    public void Forget()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }
}
