using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Notifiche.Gateway.Notices;

public sealed class NoticeVariantConfiguration : IEntityTypeConfiguration<NoticeVariant>
{
    public void Configure(EntityTypeBuilder<NoticeVariant> e)
    {
        e.ToTable("notice_variants");
        e.HasKey(v => new { v.NoticeId, v.Language });
        e.Property(v => v.Language).HasMaxLength(8);
        e.Property(v => v.Subject).HasMaxLength(NoticeValidator.SubjectMax);
        e.Property(v => v.Markdown).HasMaxLength(NoticeValidator.MarkdownMax);
        e.Property(v => v.ContentSha256).HasMaxLength(64);
    }
}
