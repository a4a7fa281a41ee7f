using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Notifiche.Persistence;

namespace Notifiche.Preferences.Data;

public class PreferencesDbContext(DbContextOptions<PreferencesDbContext> options) : DbContext(options)
{
    public DbSet<Profile> Profiles => Set<Profile>();

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
        });
    }
}

/// <summary>Used only by <c>dotnet ef migrations add</c>.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PreferencesDbContext>
{
    public PreferencesDbContext CreateDbContext(string[] args) => new(DatabaseRegistration.DesignTimeOptions<PreferencesDbContext>());
}
