using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Notifiche.Gateway.Notices;

namespace Notifiche.Gateway.Audit;

public sealed class NoticeEventConfiguration : IEntityTypeConfiguration<NoticeEvent>
{
    public void Configure(EntityTypeBuilder<NoticeEvent> e)
    {
        e.ToTable("notice_events");
        e.HasKey(v => v.Sequence);
        e.Property(v => v.Type).HasMaxLength(32);
        e.Property(v => v.Channel).HasMaxLength(16);
        e.Property(v => v.Detail).HasMaxLength(AuditTrail.MaxDetailLength);
        e.HasIndex(v => new { v.NoticeId, v.Sequence });
        e.HasOne<Notice>().WithMany().HasForeignKey(v => v.NoticeId);
    }
}
