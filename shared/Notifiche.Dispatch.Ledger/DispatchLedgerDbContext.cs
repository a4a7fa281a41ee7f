using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Notifiche.Persistence;

namespace Notifiche.Dispatch.Ledger;

/// <summary>A dispatcher's own database: the <c>dispatches</c> ledger.</summary>
public class DispatchLedgerDbContext : DbContext
{
    // No transaction here goes on after a failed SaveChanges, so EF's savepoint around each SaveChanges in an explicit
    // transaction would be a wasted round trip (issue 15).
    public DispatchLedgerDbContext(DbContextOptions<DispatchLedgerDbContext> options)
        : base(options) => Database.AutoSavepointsEnabled = false;

    public DbSet<DispatchRecord> Dispatches => Set<DispatchRecord>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<DispatchRecord>(e =>
        {
            e.ToTable("dispatches");
            e.HasKey(d => new { d.NoticeId, d.Channel, d.AddressKey });
            e.Property(d => d.Channel).HasMaxLength(16);
            e.Property(d => d.AddressKey).HasMaxLength(64);
            e.Property(d => d.State).HasMaxLength(16)
                .HasConversion(s => s.ToString().ToUpperInvariant(), s => Enum.Parse<DispatchState>(s, true));
            e.Property(d => d.ProviderMessageId).HasMaxLength(DispatchRecord.ProviderMessageIdMaxLength);
            e.Property(d => d.Reason).HasMaxLength(DispatchRecord.ReasonMaxLength);
            e.Property(d => d.Owner).HasMaxLength(128);
            // What an SRE looks for: attempts that never finished.
            e.HasIndex(d => new { d.State, d.ClaimedAt });
        });
    }
}

/// <summary>Used only by <c>dotnet ef migrations add</c>.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<DispatchLedgerDbContext>
{
    public DispatchLedgerDbContext CreateDbContext(string[] args) => new(DatabaseRegistration.DesignTimeOptions<DispatchLedgerDbContext>());
}
