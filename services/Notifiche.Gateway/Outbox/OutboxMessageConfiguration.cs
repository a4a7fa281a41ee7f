using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Notifiche.Gateway.Outbox;

public sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> e)
    {
        e.ToTable("outbox");
        e.Property(o => o.MessageType).HasMaxLength(200);
        e.Property(o => o.TraceParent).HasMaxLength(64);
    }
}
