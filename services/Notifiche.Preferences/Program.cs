using Notifiche.Messaging;
using Notifiche.Persistence;
using Notifiche.Preferences;
using Notifiche.Preferences.Data;
using Notifiche.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPreferences();
builder.Services.AddOpenApi();
builder.AddNotificheBus(bus => bus.AddPreferencesConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.UseApiDefaults();
app.MapOpenApi();
app.MapPreferences();
await app.Services.PrepareDatabaseAsync<PreferencesDbContext>();
await app.RunAsync();
