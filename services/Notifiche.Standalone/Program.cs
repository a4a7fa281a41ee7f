using Notifiche.Dispatch.Email;
using Notifiche.Dispatch.Push;
using Notifiche.Dispatch.Sms;
using Notifiche.Gateway;
using Notifiche.Gateway.Data;
using Notifiche.Persistence;
using Notifiche.Messaging;
using Notifiche.Preferences;
using Notifiche.Preferences.Data;
using Notifiche.ServiceDefaults;
using Notifiche.Standalone;

// The embedded default: gateway, preferences and the email, SMS and push dispatchers in one process, on the in-memory
// transport, SQLite, a pickup folder for emails and recording sandboxes for SMS and push (see appsettings.json). Everything lives under the data folder.
var builder = WebApplication.CreateBuilder(args);
var dataDirectory = Path.GetFullPath(builder.Configuration["Standalone:DataDirectory"] ?? "notifiche-data");
Directory.CreateDirectory(dataDirectory);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["ConnectionStrings:Gateway"] = $"Data Source={Path.Combine(dataDirectory, "gateway.db")}",
    ["ConnectionStrings:Preferences"] = $"Data Source={Path.Combine(dataDirectory, "preferences.db")}",
    ["ConnectionStrings:DispatchLedger"] = $"Data Source={Path.Combine(dataDirectory, "dispatches.db")}",
    ["Email:PickupDirectory"] = Path.Combine(dataDirectory, "mail"),
    ["Sms:SandboxDirectory"] = Path.Combine(dataDirectory, "sms"),
    ["Push:SandboxDirectory"] = Path.Combine(dataDirectory, "push"),
});

builder.AddServiceDefaults();
builder.AddGateway();
builder.AddPreferences();
builder.AddEmailDispatch();
builder.AddSmsDispatch();
builder.AddPushDispatch();
builder.AddNotificheBus(bus => bus.AddGatewayConsumers(), bus => bus.AddPreferencesConsumers(), bus => bus.AddEmailDispatchConsumers(),
    bus => bus.AddSmsDispatchConsumers(), bus => bus.AddPushDispatchConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.UseApiDefaults();
app.MapGateway();
app.MapPreferences();
await app.Services.PrepareDatabaseAsync<GatewayDbContext>();
await app.Services.PrepareDatabaseAsync<PreferencesDbContext>();
var demoKey = await DemoService.EnsureAsync(app.Services, dataDirectory);
var appBackendKey = app.Configuration[PreferencesExtensions.AppBackendKeySetting]!;
var operatorKey = app.Configuration[Notifiche.Gateway.Registry.KeySchemes.OperatorKeySetting];
app.Lifetime.ApplicationStarted.Register(() => Banner.Print(app.Urls, dataDirectory, demoKey, appBackendKey, operatorKey));
await app.RunAsync();
