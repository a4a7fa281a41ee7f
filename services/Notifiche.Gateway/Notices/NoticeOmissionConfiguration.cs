using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Notifiche.Gateway.Notices;

public sealed class NoticeOmissionConfiguration : IEntityTypeConfiguration<NoticeOmission>
{
    public void Configure(EntityTypeBuilder<NoticeOmission> e)
    {
        e.ToTable("notice_omissions");
        e.HasKey(o => new { o.NoticeId, o.Channel });
        e.Property(o => o.Channel).HasMaxLength(16);
        e.Property(o => o.Reason).HasMaxLength(32);
    }
}
