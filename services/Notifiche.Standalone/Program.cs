using Notifiche.Dispatch.Email;
using Notifiche.Dispatch.Push;
using Notifiche.Dispatch.Sms;
using Notifiche.Dispatch.Telegram;
using Notifiche.Gateway;
using Notifiche.Messaging;
using Notifiche.Preferences;
using Notifiche.ServiceDefaults;
using Notifiche.Standalone;
using Scalar.AspNetCore;

// The embedded default: gateway, preferences and the email, SMS, push and Telegram dispatchers in one process, composed with the
// same calls as each service's own Program.cs, on the in-memory transport, SQLite, a pickup folder for emails and
// recording sandboxes for SMS, push and Telegram (see appsettings.json). Everything lives under the data folder, the keys too:
// generated on first start (StandaloneKeys), printed at every start. It listens on loopback unless Urls says otherwise.
if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
var dataDirectory = Path.GetFullPath(builder.Configuration["Standalone:DataDirectory"] ?? "notifiche-data");
Directory.CreateDirectory(dataDirectory);
var keys = StandaloneKeys.LoadOrCreate(builder.Configuration, dataDirectory);
builder.Configuration.AddInMemoryCollection(keys.Settings());
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["ConnectionStrings:Gateway"] = $"Data Source={Path.Combine(dataDirectory, "gateway.db")}",
    ["ConnectionStrings:Preferences"] = $"Data Source={Path.Combine(dataDirectory, "preferences.db")}",
    ["ConnectionStrings:DispatchLedger"] = $"Data Source={Path.Combine(dataDirectory, "dispatches.db")}",
    ["Email:PickupDirectory"] = Path.Combine(dataDirectory, "mail"),
    ["Sms:SandboxDirectory"] = Path.Combine(dataDirectory, "sms"),
    ["Push:SandboxDirectory"] = Path.Combine(dataDirectory, "push"),
    ["Telegram:SandboxDirectory"] = Path.Combine(dataDirectory, "telegram"),
});

builder.AddGateway();
builder.AddPreferences();
builder.AddEmailDispatch();
builder.AddSmsDispatch();
builder.AddPushDispatch();
builder.AddTelegramDispatch();
builder.AddNotificheBus();
builder.Services.AddSingleton(new DataDirectory(dataDirectory));
builder.Services.AddSingleton(keys);
builder.Services.AddHostedService<DemoService>();

var app = builder.Build();
app.MapGateway();
app.MapPreferences();
app.MapEmailDispatch();
app.MapSmsDispatch();
app.MapPushDispatch();
// The interactive reference of the OpenAPI document (/openapi/v1.json), for whoever tries the API on their machine.
app.MapScalarApiReference("/docs", o => o.WithTitle("Notifiche API"));
app.MapTelegramDispatch();
await app.RunAsync();
return 0;
