using Notifiche.Dispatch.Telegram;
using Notifiche.Messaging;
using Notifiche.Persistence;
using Notifiche.ServiceDefaults;

// --healthcheck: compose's healthcheck asks the running service (the image has no curl).
if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(DatabaseSchemas.HostArguments(args));
builder.AddTelegramDispatch();
builder.AddNotificheBus();

var app = builder.Build();
// --migrate-only: the Kubernetes migration Job (deploy/kubernetes/migrations.yaml) brings the schema up to date and exits.
if (DatabaseSchemas.IsMigrateOnly(args))
{
    return await app.MigrateOnlyAsync();
}

app.MapTelegramDispatch();
await app.RunAsync();
return 0;
