using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Notices;

public sealed class NoticeConfiguration : IEntityTypeConfiguration<Notice>
{
    public void Configure(EntityTypeBuilder<Notice> e)
    {
        e.ToTable("notices");
        e.Property(n => n.ServiceId).HasMaxLength(64);
        e.Property(n => n.FiscalCode).HasMaxLength(16);
        e.Property(n => n.Subject).HasMaxLength(120);
        e.Property(n => n.Markdown).HasMaxLength(10_000);
        e.Property(n => n.Category).HasMaxLength(64);
        e.Property(n => n.DefaultEmail).HasMaxLength(254);
        e.Property(n => n.ContentSha256).HasMaxLength(64);
        e.Property(n => n.Status).HasMaxLength(16);
        e.Property(n => n.RejectionReason).HasMaxLength(32);
        e.Property(n => n.Reference).HasMaxLength(NoticeValidator.ReferenceMax);
        e.Property(n => n.ProtocolNumber).HasMaxLength(NoticeValidator.ProtocolNumberMax);
        e.Property(n => n.ReminderBefore).HasMaxLength(64);
        // A notice's reminders (its status lists them; resolve cancels them).
        e.HasOne<Notice>().WithMany().HasForeignKey(n => n.ReminderOf);
        e.HasIndex(n => n.ReminderOf).HasFilter("reminder_of IS NOT NULL");
        e.Property(n => n.EscalationAfter).HasMaxLength(64);
        e.Property(n => n.EscalationOutcome).HasMaxLength(24);
        // A notice's escalation steps (its status lists them; resolve and a rejection cancel those pending).
        e.HasOne<Notice>().WithMany().HasForeignKey(n => n.EscalationOf);
        e.HasIndex(n => n.EscalationOf).HasFilter("escalation_of IS NOT NULL");
        e.HasOne<ServiceRecord>().WithMany().HasForeignKey(n => n.ServiceId);
        e.HasMany(n => n.Channels).WithOne().HasForeignKey(c => c.NoticeId);
        e.HasMany(n => n.Omissions).WithOne().HasForeignKey(o => o.NoticeId);
        e.HasMany(n => n.Variants).WithOne().HasForeignKey(v => v.NoticeId);
        e.Property(n => n.ContentLanguage).HasMaxLength(8);
        // The inbox: a citizen's notices, newest first (ids are UUIDv7, time-ordered).
        e.HasIndex(n => new { n.FiscalCode, n.Id });
        // A service's notices, newest first (GET /api/v1/notices: keyset paging by id; from/to are id bounds, ids being UUIDv7).
        e.HasIndex(n => new { n.ServiceId, n.Id });
        // ... with a status, and with a reference.
        e.HasIndex(n => new { n.ServiceId, n.Status, n.Id });
        e.HasIndex(n => new { n.ServiceId, n.Reference, n.Id }).HasFilter("reference IS NOT NULL");
        // A service's notices since a date (the census of one service).
        e.HasIndex(n => new { n.ServiceId, n.AcceptedAt });
        // The retention job's scan for content still to delete.
        e.HasIndex(n => n.AcceptedAt).HasFilter("content_deleted_at IS NULL");
    }
}
