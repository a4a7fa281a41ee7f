using Notifiche.Dispatch.Push;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPushDispatch();
builder.AddNotificheBus(bus => bus.AddPushDispatchConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
