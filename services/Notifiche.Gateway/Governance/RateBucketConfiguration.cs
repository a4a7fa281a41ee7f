using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Governance;

public sealed class RateBucketConfiguration : IEntityTypeConfiguration<RateBucket>
{
    public void Configure(EntityTypeBuilder<RateBucket> e)
    {
        e.ToTable("rate_buckets");
        e.HasKey(b => b.ServiceId);
        e.Property(b => b.ServiceId).HasMaxLength(64);
        e.HasOne<ServiceRecord>().WithMany().HasForeignKey(b => b.ServiceId).OnDelete(DeleteBehavior.Cascade);
    }
}
