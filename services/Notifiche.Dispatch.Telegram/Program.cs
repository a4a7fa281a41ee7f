using Notifiche.Dispatch.Telegram;
using Notifiche.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddTelegramDispatch();
builder.AddNotificheBus();

var app = builder.Build();
app.MapTelegramDispatch();
await app.RunAsync();
