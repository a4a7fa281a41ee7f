using Notifiche.Dispatch.Sms;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSmsDispatch();
builder.AddNotificheBus(bus => bus.AddSmsDispatchConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
