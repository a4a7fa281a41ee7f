using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Callbacks;

public sealed class StatusCallbackConfiguration : IEntityTypeConfiguration<StatusCallback>
{
    public void Configure(EntityTypeBuilder<StatusCallback> e)
    {
        e.ToTable("status_callbacks");
        e.HasKey(c => c.ServiceId);
        e.Property(c => c.ServiceId).HasMaxLength(64);
        e.Property(c => c.Url).HasMaxLength(2048);
        e.Property(c => c.Secret).HasMaxLength(256);
        e.HasOne<ServiceRecord>().WithMany().HasForeignKey(c => c.ServiceId).OnDelete(DeleteBehavior.Cascade);
    }
}
