using Microsoft.EntityFrameworkCore;
using Notifiche.Persistence;
using Notifiche.Preferences.Data;

namespace Notifiche.Preferences.Routing;

/// <summary>
/// Reads the profiles the routing consumers need in groups: the <see cref="NoticeSubmittedConsumer"/>s of one queue (up
/// to its prefetch count at once) each ask for one citizen, and one <c>fiscal_code = ANY(@codes)</c> query answers all
/// of them instead of one query each (issue 15). Alone, a lookup is read at once. A lookup sees the profile as committed
/// when its group is read, never older than when it asked.
/// </summary>
public sealed class ProfileReader : IAsyncDisposable
{
    private readonly GroupCommit<Lookup> _reads;

    public ProfileReader(IServiceScopeFactory scopes, ILogger<ProfileReader> logger) =>
        _reads = new("profile reads", scopes, ReadAsync, logger);

    /// <summary>The citizen's profile, or null when there is none.</summary>
    public async Task<Profile?> FindAsync(string fiscalCode, CancellationToken ct)
    {
        var lookup = new Lookup(fiscalCode);
        await _reads.ApplyAsync(lookup, ct);
        return lookup.Profile;
    }

    private static async Task<IReadOnlyList<Exception?>> ReadAsync(IServiceProvider services, IReadOnlyList<Traced<Lookup>> group, CancellationToken ct)
    {
        var codes = group.Select(l => l.Item.FiscalCode).Distinct().ToList();
        var db = services.GetRequiredService<PreferencesDbContext>();
        var profiles = await db.Profiles.AsNoTracking().Where(p => codes.Contains(p.FiscalCode)).ToDictionaryAsync(p => p.FiscalCode, ct);
        foreach (var lookup in group)
        {
            lookup.Item.Profile = profiles.GetValueOrDefault(lookup.Item.FiscalCode);
        }

        return new Exception?[group.Count];
    }

    public ValueTask DisposeAsync() => _reads.DisposeAsync();

    private sealed class Lookup(string fiscalCode)
    {
        public string FiscalCode { get; } = fiscalCode;
        public Profile? Profile { get; set; }
    }
}
