using Notifiche.Dispatch.Push;
using Notifiche.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddPushDispatch();
builder.AddNotificheBus();

var app = builder.Build();
app.MapPushDispatch();
await app.RunAsync();
