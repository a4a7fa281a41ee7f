using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Templates;

public sealed class TemplateConfiguration : IEntityTypeConfiguration<Template>
{
    public void Configure(EntityTypeBuilder<Template> e)
    {
        e.ToTable("templates");
        e.Property(t => t.ServiceId).HasMaxLength(64);
        e.Property(t => t.Name).HasMaxLength(TemplateValidator.NameMax);
        // Two concurrent changes of one template: the second is a 409, not a lost update with the same version.
        e.Property(t => t.Version).IsConcurrencyToken();
        e.HasOne<ServiceRecord>().WithMany().HasForeignKey(t => t.ServiceId);
        e.HasMany(t => t.Contents).WithOne().HasForeignKey(c => c.TemplateId).OnDelete(DeleteBehavior.Cascade);
        // A service's templates, newest first.
        e.HasIndex(t => new { t.ServiceId, t.Id });
    }
}

public sealed class TemplateContentConfiguration : IEntityTypeConfiguration<TemplateContent>
{
    public void Configure(EntityTypeBuilder<TemplateContent> e)
    {
        e.ToTable("template_contents");
        e.HasKey(c => new { c.TemplateId, c.Language });
        e.Property(c => c.Language).HasMaxLength(8);
        e.Property(c => c.Subject).HasMaxLength(NoticeValidator.SubjectMax);
        e.Property(c => c.Markdown).HasMaxLength(NoticeValidator.MarkdownMax);
    }
}
