using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Notifiche.Gateway.Registry;

public sealed class ServiceRecordConfiguration : IEntityTypeConfiguration<ServiceRecord>
{
    public void Configure(EntityTypeBuilder<ServiceRecord> e)
    {
        e.ToTable("services");
        e.Property(s => s.Id).HasMaxLength(64);
        e.Property(s => s.Name).HasMaxLength(200);
        e.Property(s => s.OrganizationName).HasMaxLength(200);
        e.Property(s => s.Department).HasMaxLength(200);
        e.Property(s => s.OrganizationFiscalCode).HasMaxLength(11);
        e.Property(s => s.ContactEmail).HasMaxLength(254);
        // A row inserted by hand without a state is live; EF always writes the state, so a new service starts in sandbox.
        e.Property(s => s.State).HasMaxLength(16).HasDefaultValue(ServiceStates.Active);
        e.Property(s => s.MonthlySmsEuroBudget).HasPrecision(12, 4);
        // Empty lists for rows inserted by hand without them (EF always writes the value).
        e.Property(s => s.NoticeCategories).HasDefaultValueSql("'{}'");
        e.Property(s => s.SandboxRecipients).HasDefaultValueSql("'{}'");
        e.Property(s => s.AllowedSourceCidrs).HasDefaultValueSql("'{}'");
    }
}
