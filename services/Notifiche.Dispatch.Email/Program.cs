using Notifiche.Dispatch.Email;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEmailDispatch();
builder.AddNotificheBus(bus => bus.AddEmailDispatchConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
