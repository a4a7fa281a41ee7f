using Notifiche.Messaging;
using Notifiche.Preferences;

var builder = WebApplication.CreateBuilder(args);
builder.AddPreferences();
builder.AddNotificheBus();

var app = builder.Build();
app.MapPreferences();
await app.RunAsync();
