using Microsoft.EntityFrameworkCore;

namespace Notifiche.Gateway.Data;

public class GatewayDbContext(DbContextOptions<GatewayDbContext> options) : DbContext(options)
{
    public DbSet<ServiceRecord> Services => Set<ServiceRecord>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Notice> Notices => Set<Notice>();
    public DbSet<NoticeChannel> NoticeChannels => Set<NoticeChannel>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<IdempotencyKey> IdempotencyKeys => Set<IdempotencyKey>();
    public DbSet<NoticeEvent> NoticeEvents => Set<NoticeEvent>();
    public DbSet<StatusCallback> StatusCallbacks => Set<StatusCallback>();
    public DbSet<NoticeOmission> NoticeOmissions => Set<NoticeOmission>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<ServiceRecord>(e =>
        {
            e.ToTable("services");
            e.Property(s => s.Id).HasMaxLength(64);
            e.Property(s => s.Name).HasMaxLength(200);
            e.Property(s => s.OrganizationName).HasMaxLength(200);
        });

        model.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys");
            e.Property(k => k.KeyHash).HasMaxLength(64);
            e.HasIndex(k => k.KeyHash).IsUnique();
            e.HasOne<ServiceRecord>().WithMany().HasForeignKey(k => k.ServiceId);
        });

        model.Entity<Notice>(e =>
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
            e.HasOne<ServiceRecord>().WithMany().HasForeignKey(n => n.ServiceId);
            e.HasMany(n => n.Channels).WithOne().HasForeignKey(c => c.NoticeId);
            // The inbox: a citizen's notices, newest first (ids are UUIDv7, time-ordered).
            e.HasIndex(n => new { n.FiscalCode, n.Id });
            e.HasIndex(n => n.AcceptedAt).HasFilter("content_deleted_at IS NULL");
        });

        model.Entity<NoticeEvent>(e =>
        {
            e.ToTable("notice_events");
            e.HasKey(v => v.Sequence);
            e.Property(v => v.Type).HasMaxLength(32);
            e.Property(v => v.Channel).HasMaxLength(16);
            e.Property(v => v.Detail).HasMaxLength(Audit.AuditTrail.MaxDetailLength);
            e.HasIndex(v => new { v.NoticeId, v.Sequence });
            e.HasOne<Notice>().WithMany().HasForeignKey(v => v.NoticeId);
        });

        model.Entity<StatusCallback>(e =>
        {
            e.ToTable("status_callbacks");
            e.HasKey(c => c.ServiceId);
            e.Property(c => c.ServiceId).HasMaxLength(64);
            e.Property(c => c.Url).HasMaxLength(2048);
            e.Property(c => c.Secret).HasMaxLength(256);
            e.HasOne<ServiceRecord>().WithMany().HasForeignKey(c => c.ServiceId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<NoticeChannel>(e =>
        {
            e.ToTable("notice_channels");
            e.HasKey(c => new { c.NoticeId, c.Channel });
            e.Property(c => c.Channel).HasMaxLength(16);
            e.Property(c => c.Status).HasMaxLength(16);
            e.Property(c => c.ProviderMessageId).HasMaxLength(200);
            e.Property(c => c.FailureReason).HasMaxLength(NoticeChannel.FailureReasonMaxLength);
        });

        model.Entity<IdempotencyKey>(e =>
        {
            e.ToTable("idempotency_keys");
            e.HasKey(k => new { k.ServiceId, k.Key });
            e.Property(k => k.ServiceId).HasMaxLength(64);
            e.Property(k => k.Key).HasMaxLength(Gateway.Notices.IdempotencyKeys.MaxLength);
            e.Property(k => k.RequestSha256).HasMaxLength(64);
            e.HasIndex(k => k.CreatedAt);
        });

        model.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox");
            e.Property(o => o.MessageType).HasMaxLength(200);
            e.Property(o => o.TraceParent).HasMaxLength(64);
        });

        GovernanceModel.Configure(model);
    }
}
