using Notifiche.Gateway;
using Notifiche.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddGateway();
builder.AddNotificheBus();

var app = builder.Build();
app.MapGateway();
await app.RunAsync();
