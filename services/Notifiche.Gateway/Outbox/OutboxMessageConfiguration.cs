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
        // The relay's batch: due rows in due order, found by this index, so rows scheduled for later are never scanned.
        e.HasIndex(o => new { o.NotBefore, o.Id });
        e.HasIndex(o => o.NoticeId).HasFilter("notice_id IS NOT NULL");
    }
}
