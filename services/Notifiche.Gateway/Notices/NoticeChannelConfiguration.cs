using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Notifiche.Gateway.Notices;

public sealed class NoticeChannelConfiguration : IEntityTypeConfiguration<NoticeChannel>
{
    public void Configure(EntityTypeBuilder<NoticeChannel> e)
    {
        e.ToTable("notice_channels");
        e.HasKey(c => new { c.NoticeId, c.Channel });
        e.Property(c => c.Channel).HasMaxLength(16);
        e.Property(c => c.Status).HasMaxLength(16);
        e.Property(c => c.ProviderMessageId).HasMaxLength(NoticeChannel.ProviderMessageIdMaxLength);
        e.Property(c => c.FailureReason).HasMaxLength(NoticeChannel.FailureReasonMaxLength);
        e.Property(c => c.CostEuro).HasPrecision(12, 4);
    }
}
