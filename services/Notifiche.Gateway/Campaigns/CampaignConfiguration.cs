using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Campaigns;

public sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> e)
    {
        e.ToTable("campaigns");
        e.Property(c => c.ServiceId).HasMaxLength(64);
        e.Property(c => c.Format).HasMaxLength(8);
        e.HasOne<ServiceRecord>().WithMany().HasForeignKey(c => c.ServiceId);
        e.HasIndex(c => new { c.ServiceId, c.Id });
    }
}

public sealed class CampaignRowConfiguration : IEntityTypeConfiguration<CampaignRow>
{
    public void Configure(EntityTypeBuilder<CampaignRow> e)
    {
        e.ToTable("campaign_rows");
        e.Property(r => r.FiscalCode).HasMaxLength(16);
        e.HasOne<Campaign>().WithMany().HasForeignKey(r => r.CampaignId).OnDelete(DeleteBehavior.Cascade);
        // The relay's batch (due rows in due order), the pacing's next rows to release, a campaign's pending rows.
        e.HasIndex(r => new { r.NotBefore, r.Id });
        e.HasIndex(r => r.Id).HasFilter("NOT released").HasDatabaseName("ix_campaign_rows_unreleased");
        e.HasIndex(r => new { r.CampaignId, r.RowNumber });
    }
}

public sealed class CampaignRejectionConfiguration : IEntityTypeConfiguration<CampaignRejection>
{
    public void Configure(EntityTypeBuilder<CampaignRejection> e)
    {
        e.ToTable("campaign_rejections");
        e.HasKey(r => new { r.CampaignId, r.RowNumber });
        e.Property(r => r.Reason).HasMaxLength(1000);
        e.HasOne<Campaign>().WithMany().HasForeignKey(r => r.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class CampaignNoticeConfiguration : IEntityTypeConfiguration<CampaignNotice>
{
    public void Configure(EntityTypeBuilder<CampaignNotice> e)
    {
        e.ToTable("campaign_notices");
        e.HasKey(n => new { n.CampaignId, n.RowNumber });
        e.Property(n => n.Refusal).HasMaxLength(64);
        e.HasOne<Campaign>().WithMany().HasForeignKey(n => n.CampaignId).OnDelete(DeleteBehavior.Cascade);
        // The pacing's in-flight notices: few at any time.
        e.HasIndex(n => n.NoticeId).HasFilter("NOT settled").HasDatabaseName("ix_campaign_notices_unsettled");
    }
}
