using Notifiche.Dispatch.Email;
using Notifiche.Gateway;
using Notifiche.Messaging;
using Notifiche.Preferences;
using Notifiche.ServiceDefaults;
using Notifiche.Standalone;

// The embedded default: gateway, preferences and email dispatcher in one process, on the in-memory transport,
// SQLite and a pickup folder for emails (see appsettings.json). Everything lives under the data folder.
var builder = WebApplication.CreateBuilder(args);
var dataDirectory = Path.GetFullPath(builder.Configuration["Standalone:DataDirectory"] ?? "notifiche-data");
Directory.CreateDirectory(dataDirectory);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["ConnectionStrings:Gateway"] = $"Data Source={Path.Combine(dataDirectory, "gateway.db")}",
    ["Email:PickupDirectory"] = Path.Combine(dataDirectory, "mail"),
});

builder.AddServiceDefaults();
builder.AddGateway();
builder.AddPreferences();
builder.AddEmailDispatch();
builder.AddNotificheBus(bus => bus.AddGatewayConsumers(), bus => bus.AddPreferencesConsumers(), bus => bus.AddEmailDispatchConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGateway();
await app.Services.PrepareGatewayDatabaseAsync();
var demoKey = await DemoService.EnsureAsync(app.Services, dataDirectory);
app.Lifetime.ApplicationStarted.Register(() => Banner.Print(app.Urls, dataDirectory, demoKey));
await app.RunAsync();
