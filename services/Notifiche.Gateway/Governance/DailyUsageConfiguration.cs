using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Governance;

public sealed class DailyUsageConfiguration : IEntityTypeConfiguration<DailyUsage>
{
    public void Configure(EntityTypeBuilder<DailyUsage> e)
    {
        e.ToTable("daily_usage");
        e.HasKey(u => new { u.ServiceId, u.Day });
        e.Property(u => u.ServiceId).HasMaxLength(64);
        e.HasOne<ServiceRecord>().WithMany().HasForeignKey(u => u.ServiceId).OnDelete(DeleteBehavior.Cascade);
    }
}
