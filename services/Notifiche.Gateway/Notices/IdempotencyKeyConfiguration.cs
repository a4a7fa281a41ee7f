using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Notifiche.Gateway.Notices;

public sealed class IdempotencyKeyConfiguration : IEntityTypeConfiguration<IdempotencyKey>
{
    public void Configure(EntityTypeBuilder<IdempotencyKey> e)
    {
        e.ToTable("idempotency_keys");
        e.HasKey(k => new { k.ServiceId, k.Key });
        e.Property(k => k.ServiceId).HasMaxLength(64);
        e.Property(k => k.Key).HasMaxLength(IdempotencyKeys.MaxLength);
        e.Property(k => k.RequestSha256).HasMaxLength(64);
        e.HasIndex(k => k.CreatedAt);
    }
}
