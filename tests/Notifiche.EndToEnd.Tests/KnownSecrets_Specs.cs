using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Issue 16, point 1, for the services the gateway's and dispatchers' own specs do not start: Preferences and the email
/// dispatcher, composed as their Program.cs composes them with the test settings (<see cref="TestSettings"/>) but for
/// one secret. They refuse before they connect anywhere.
/// </summary>
public class Starting_a_service_with_a_known_secret
{
    private static readonly TestSettings Settings = new(new TestBroker(["127.0.0.1:1"], "/", "guest", "guest"));

    [TestCase(null, "is not set")]
    [TestCase("demo-app-backend-key", "is a placeholder")]
    [TestCase("too-short-but-random-3b9f", "is shorter than 32 characters")]
    public async Task Preferences_should_refuse_its_app_backend_key(string? key, string reason)
    {
        var settings = Settings.Preferences("Host=127.0.0.1;Port=1;Database=preferences;Username=u");
        settings["Preferences:AppBackendKey"] = key;

        var failure = await StartFailureAsync(ServiceHosts.Preferences, settings);

        Assert.That(failure, Does.Contain($"Preferences:AppBackendKey (environment Preferences__AppBackendKey) {reason}"));
        Assert.That(failure, Does.Not.Contain(key ?? "(none)"));
    }

    [Test]
    public async Task The_email_dispatcher_should_refuse_a_placeholder_smtp_password_when_a_user_is_set()
    {
        var settings = Settings.Dispatcher("Host=127.0.0.1;Port=1;Database=ledger;Username=u", new Dictionary<string, string?>
        {
            ["Email:Transport"] = "Smtp",
            ["Email:Smtp:Host"] = "smtp.example.it",
            ["Email:Smtp:Username"] = "notifiche",
            ["Email:Smtp:Password"] = "change-me",
        });

        var failure = await StartFailureAsync(ServiceHosts.EmailDispatch, settings);

        Assert.That(failure, Does.Contain("Email:Smtp:Password (environment Email__Smtp__Password) is a placeholder"));
    }

    [Test]
    public async Task A_dispatcher_should_refuse_a_weak_ledger_password_on_a_database_beyond_this_machine()
    {
        var settings = Settings.Dispatcher("Host=postgres;Database=ledger;Username=notifiche;Password=notifiche", new Dictionary<string, string?>
        {
            ["Email:Transport"] = "PickupDirectory",
        });

        var failure = await StartFailureAsync(ServiceHosts.EmailDispatch, settings);

        Assert.That(failure, Does.Contain("The Password in ConnectionStrings:DispatchLedger (environment ConnectionStrings__DispatchLedger) is shorter than 32 characters"));
        Assert.That(failure, Does.Not.Contain("Password=notifiche"));
    }

    private static async Task<string> StartFailureAsync(string service, Dictionary<string, string?> settings)
    {
        var failure = Assert.CatchAsync(async () => await (await ServiceHosts.StartAsync(service, settings, _ => { })).DisposeAsync());
        await Task.CompletedTask;
        return failure is AggregateException all ? string.Join('\n', all.InnerExceptions.Select(e => e.Message)) : failure!.Message;
    }
}
