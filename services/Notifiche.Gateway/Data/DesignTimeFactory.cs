using Microsoft.EntityFrameworkCore.Design;
using Notifiche.Persistence;

namespace Notifiche.Gateway.Data;

/// <summary>Used only by <c>dotnet ef migrations add</c>: migrations are generated for PostgreSQL without starting the service.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<GatewayDbContext>
{
    public GatewayDbContext CreateDbContext(string[] args) => new(DatabaseRegistration.DesignTimeOptions<GatewayDbContext>());
}
