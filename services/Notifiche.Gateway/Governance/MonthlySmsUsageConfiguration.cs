using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Governance;

public sealed class MonthlySmsUsageConfiguration : IEntityTypeConfiguration<MonthlySmsUsage>
{
    public void Configure(EntityTypeBuilder<MonthlySmsUsage> e)
    {
        e.ToTable("monthly_sms_usage");
        e.HasKey(u => new { u.ServiceId, u.Month });
        e.Property(u => u.ServiceId).HasMaxLength(64);
        e.HasOne<ServiceRecord>().WithMany().HasForeignKey(u => u.ServiceId).OnDelete(DeleteBehavior.Cascade);
    }
}
