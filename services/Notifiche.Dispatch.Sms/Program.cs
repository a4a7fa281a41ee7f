using Notifiche.Dispatch.Sms;
using Notifiche.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddSmsDispatch();
builder.AddNotificheBus();

var app = builder.Build();
app.MapSmsDispatch();
await app.RunAsync();
