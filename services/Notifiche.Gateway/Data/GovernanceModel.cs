using Microsoft.EntityFrameworkCore;

namespace Notifiche.Gateway.Data;

/// <summary>Tables and columns of service governance (registry fields, limits, omissions), kept apart from the core model.</summary>
public static class GovernanceModel
{
    public static void Configure(ModelBuilder model)
    {
        model.Entity<ServiceRecord>(e =>
        {
            e.Property(s => s.Department).HasMaxLength(200);
            e.Property(s => s.OrganizationFiscalCode).HasMaxLength(11);
            e.Property(s => s.ContactEmail).HasMaxLength(254);
            // Services registered before governance existed keep sending: they are live.
            e.Property(s => s.State).HasMaxLength(16).HasDefaultValue(ServiceStates.Active);
            e.Property(s => s.MonthlySmsEuroBudget).HasPrecision(12, 4);
            // Rows that predate these columns get empty lists (EF always writes the value for new rows).
            e.Property(s => s.NoticeCategories).HasDefaultValueSql("'{}'");
            e.Property(s => s.SandboxRecipients).HasDefaultValueSql("'{}'");
            e.Property(s => s.AllowedSourceCidrs).HasDefaultValueSql("'{}'");
        });

        model.Entity<NoticeChannel>().Property(c => c.CostEuro).HasPrecision(12, 4);
        model.Entity<Notice>().HasIndex(n => new { n.ServiceId, n.AcceptedAt });

        model.Entity<NoticeOmission>(e =>
        {
            e.ToTable("notice_omissions");
            e.HasKey(o => new { o.NoticeId, o.Channel });
            e.Property(o => o.Channel).HasMaxLength(16);
            e.Property(o => o.Reason).HasMaxLength(32);
            e.HasOne<Notice>().WithMany(n => n.Omissions).HasForeignKey(o => o.NoticeId);
        });

        model.Entity<RateBucket>(e =>
        {
            e.ToTable("rate_buckets");
            e.HasKey(b => b.ServiceId);
            e.Property(b => b.ServiceId).HasMaxLength(64);
            e.HasOne<ServiceRecord>().WithMany().HasForeignKey(b => b.ServiceId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<DailyUsage>(e =>
        {
            e.ToTable("daily_usage");
            e.HasKey(u => new { u.ServiceId, u.Day });
            e.Property(u => u.ServiceId).HasMaxLength(64);
            e.HasOne<ServiceRecord>().WithMany().HasForeignKey(u => u.ServiceId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
