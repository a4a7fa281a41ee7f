using Notifiche.Messaging;
using Notifiche.Preferences;
using Notifiche.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPreferences();
builder.AddNotificheBus(bus => bus.AddPreferencesConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
