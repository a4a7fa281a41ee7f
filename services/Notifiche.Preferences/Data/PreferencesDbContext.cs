using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Notifiche.Persistence;

namespace Notifiche.Preferences.Data;

public class PreferencesDbContext : DbContext
{
    // No transaction here goes on after a failed SaveChanges, so EF's savepoint around each SaveChanges in an explicit
    // transaction would be a wasted round trip (issue 15).
    public PreferencesDbContext(DbContextOptions<PreferencesDbContext> options)
        : base(options) => Database.AutoSavepointsEnabled = false;

    public DbSet<Profile> Profiles => Set<Profile>();

    public DbSet<TelegramLinkToken> TelegramLinkTokens => Set<TelegramLinkToken>();

    public DbSet<DeferredDispatch> DeferredDispatches => Set<DeferredDispatch>();

    public DbSet<HeldNotice> HeldNotices => Set<HeldNotice>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Profile>(e =>
        {
            e.ToTable("profiles");
            e.HasKey(p => p.FiscalCode);
            e.Property(p => p.FiscalCode).HasMaxLength(16);
            e.Property(p => p.Email).HasMaxLength(254);
            e.Property(p => p.Phone).HasMaxLength(16);
            e.Property(p => p.Language).HasMaxLength(8);
            e.Property(p => p.TimeZone).HasMaxLength(64);
            e.HasIndex(p => p.TelegramChatId);
        });
        model.Entity<TelegramLinkToken>(e =>
        {
            e.ToTable("telegram_link_tokens");
            e.HasKey(t => t.TokenHash);
            e.Property(t => t.TokenHash).HasMaxLength(64);
            e.Property(t => t.FiscalCode).HasMaxLength(16);
            e.HasIndex(t => t.FiscalCode);
        });
        model.Entity<DeferredDispatch>(e =>
        {
            e.ToTable("deferred_dispatches");
            e.Property(d => d.Channel).HasMaxLength(16);
            e.Property(d => d.MessageType).HasMaxLength(200);
            e.Property(d => d.TraceParent).HasMaxLength(64);
            e.Property(d => d.FiscalCode).HasMaxLength(16);
            // Erasing a profile finds what waits for the citizen.
            e.HasIndex(d => d.FiscalCode);
            // One deferred command per notice and channel: a redelivered routing finds its row instead of adding a second.
            e.HasIndex(d => new { d.NoticeId, d.Channel }).IsUnique();
            // The relay's batch: due rows in due order, found by this index, so rows deferred for later are never scanned.
            e.HasIndex(d => new { d.NotBefore, d.Id });
        });
        model.Entity<HeldNotice>(e =>
        {
            e.ToTable("held_notices");
            e.Property(h => h.FiscalCode).HasMaxLength(16);
            e.Property(h => h.TraceParent).HasMaxLength(64);
            // Creating or erasing a profile finds what is held for the citizen.
            e.HasIndex(h => h.FiscalCode);
            // One row per notice: a redelivered routing finds it instead of holding the notice twice.
            e.HasIndex(h => h.NoticeId).IsUnique();
            // The relay's batch, as for deferred dispatches.
            e.HasIndex(h => new { h.NotBefore, h.Id });
        });
    }
}

/// <summary>Used only by <c>dotnet ef migrations add</c>.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PreferencesDbContext>
{
    public PreferencesDbContext CreateDbContext(string[] args) => new(DatabaseRegistration.DesignTimeOptions<PreferencesDbContext>());
}
