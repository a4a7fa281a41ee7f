using Microsoft.EntityFrameworkCore;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Campaigns;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Outbox;
using Notifiche.Gateway.Registry;
using Notifiche.Gateway.Templates;

namespace Notifiche.Gateway.Data;

/// <summary>The gateway's database; each feature folder maps its own tables (its <c>IEntityTypeConfiguration</c>s).</summary>
public class GatewayDbContext : DbContext
{
    // No transaction here goes on after a failed SaveChanges, so EF's savepoint around each SaveChanges in an explicit
    // transaction would be a wasted round trip (issue 15).
    public GatewayDbContext(DbContextOptions<GatewayDbContext> options)
        : base(options) => Database.AutoSavepointsEnabled = false;

    public DbSet<ServiceRecord> Services => Set<ServiceRecord>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Notice> Notices => Set<Notice>();
    public DbSet<NoticeChannel> NoticeChannels => Set<NoticeChannel>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<IdempotencyKey> IdempotencyKeys => Set<IdempotencyKey>();
    public DbSet<NoticeEvent> NoticeEvents => Set<NoticeEvent>();
    public DbSet<StatusCallback> StatusCallbacks => Set<StatusCallback>();
    public DbSet<NoticeOmission> NoticeOmissions => Set<NoticeOmission>();
    public DbSet<NoticeVariant> NoticeVariants => Set<NoticeVariant>();
    public DbSet<Template> Templates => Set<Template>();
    public DbSet<TemplateContent> TemplateContents => Set<TemplateContent>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<CampaignRow> CampaignRows => Set<CampaignRow>();
    public DbSet<CampaignRejection> CampaignRejections => Set<CampaignRejection>();
    public DbSet<CampaignNotice> CampaignNotices => Set<CampaignNotice>();

    protected override void OnModelCreating(ModelBuilder model) =>
        model.ApplyConfigurationsFromAssembly(typeof(GatewayDbContext).Assembly);
}
