using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Notifiche.Gateway.Registry;

public sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> e)
    {
        e.ToTable("api_keys");
        e.Property(k => k.KeyHash).HasMaxLength(64);
        // Keys issued before test keys existed are live.
        e.Property(k => k.Type).HasMaxLength(8).HasDefaultValue(KeyTypes.Live);
        e.HasIndex(k => k.KeyHash).IsUnique();
        e.HasOne<ServiceRecord>().WithMany().HasForeignKey(k => k.ServiceId);
    }
}
