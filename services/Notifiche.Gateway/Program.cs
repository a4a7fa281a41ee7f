using Notifiche.Gateway;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();
builder.AddNotificheBus(bus => bus.AddGatewayConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGateway();
await app.Services.PrepareGatewayDatabaseAsync();
await app.RunAsync();
