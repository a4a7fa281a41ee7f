using Notifiche.Dispatch.Email;
using Notifiche.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddEmailDispatch();
builder.AddNotificheBus();

var app = builder.Build();
app.MapEmailDispatch();
await app.RunAsync();
