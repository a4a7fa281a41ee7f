using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Notifiche.Contracts;
using Notifiche.Preferences.Data;

namespace Notifiche.Preferences.Holding;

/// <summary>
/// Held until registered (issue 17 point 6): a notice for a citizen without a profile whose service asked to hold it is
/// stored as a <see cref="HeldNotice"/> instead of being rejected; creating the profile makes the citizen's held notices
/// due at once (in the profile's transaction), and the <see cref="HeldNoticeRelay"/> routes them again or reports them
/// expired. Holding and creating a profile take the same per-citizen lock, so a notice held while the profile is being
/// created is either seen by the creation or sees the profile: none is left held for a citizen who has a profile.
/// </summary>
public static class HeldNotices
{
    /// <summary>The status detail of a notice whose citizen's profile was erased between its creation and the routing.</summary>
    public const string ErasedDetail = "The citizen's profile was erased before the held notice was routed.";

    /// <summary>Advisory lock class of the per-citizen lock (PostgreSQL); SQLite, the standalone, serialises its writers anyway.</summary>
    private const int LockClass = 17_006;

    /// <summary>
    /// Holds the notice unless the citizen's profile was created meanwhile; the profile then, for the caller to route with.
    /// A redelivery finds the notice held already and holds it again (the same row).
    /// </summary>
    public static async Task<Profile?> HoldAsync(PreferencesDbContext db, NoticeSubmitted notice, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockAsync(db, notice.FiscalCode, ct);
        if (await db.Profiles.AsNoTracking().FirstOrDefaultAsync(p => p.FiscalCode == notice.FiscalCode, ct) is { } profile)
        {
            return profile;
        }

        if (!await db.HeldNotices.AnyAsync(h => h.NoticeId == notice.NoticeId, ct))
        {
            db.HeldNotices.Add(new HeldNotice
            {
                NoticeId = notice.NoticeId, FiscalCode = notice.FiscalCode, Payload = JsonSerializer.Serialize(notice),
                AcceptedAt = notice.AcceptedAt.ToUniversalTime(), ExpiresAt = notice.ExpiresAt.ToUniversalTime(), NotBefore = notice.ExpiresAt.ToUniversalTime(),
                TraceParent = Activity.Current?.Id, CreatedAt = now,
            });
            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);
        return null;
    }

    /// <summary>
    /// The citizen's profile is being created (inside its transaction): what is held for them becomes due at once, in
    /// acceptance order. No statement at all for a profile that is only replaced.
    /// </summary>
    public static async Task ReleaseAsync(PreferencesDbContext db, string fiscalCode, CancellationToken ct)
    {
        await LockAsync(db, fiscalCode, ct);
        await db.HeldNotices.Where(h => h.FiscalCode == fiscalCode).ExecuteUpdateAsync(s => s.SetProperty(h => h.NotBefore, h => h.AcceptedAt), ct);
    }

    /// <summary>
    /// The citizen's profile is erased (inside its transaction): a held notice not yet routed loses its content and codice
    /// fiscale at once and is reported rejected (<see cref="RejectionReasons.UserNotFound"/>) by the relay.
    /// </summary>
    public static Task WithdrawAsync(PreferencesDbContext db, string fiscalCode, DateTimeOffset now, CancellationToken ct) =>
        db.HeldNotices.Where(h => h.FiscalCode == fiscalCode)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.FiscalCode, (string?)null).SetProperty(h => h.Payload, (string?)null).SetProperty(h => h.NotBefore, now), ct);

    public static NoticeSubmitted Read(HeldNotice row) => JsonSerializer.Deserialize<NoticeSubmitted>(row.Payload!)!;

    /// <summary>Serialises holding and profile creation for one citizen until the transaction ends (PostgreSQL only).</summary>
    private static async Task LockAsync(PreferencesDbContext db, string fiscalCode, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockClass}, hashtext({fiscalCode}))", ct);
        }
    }
}
