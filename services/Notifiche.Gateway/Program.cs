using Notifiche.Gateway;
using Notifiche.Gateway.Data;
using Notifiche.Persistence;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();
builder.AddNotificheBus(bus => bus.AddGatewayConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.UseApiDefaults();
app.MapGateway();
await app.Services.PrepareDatabaseAsync<GatewayDbContext>();
await app.RunAsync();
