using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;

namespace Notifiche.Gateway.Tests;

/// <summary>
/// Issue 16, point 1: a gateway whose operator key, app backend key, database or broker password is missing, short or
/// a placeholder from this repository does not start, and says which setting to fix — without printing the value.
/// The checks run before anything connects, so the database and broker named here are never reached.
/// </summary>
public class Starting_a_gateway_with_a_known_secret
{
    private static readonly string Good = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static Dictionary<string, string?> Settings() => new()
    {
        ["ConnectionStrings:Gateway"] = "Host=127.0.0.1;Port=1;Database=notifiche_gateway;Username=notifiche;Password=notifiche",
        ["Gateway:Database:Provider"] = "PostgreSql",
        ["Gateway:OperatorKey"] = Good,
        ["Gateway:AppBackendKey"] = Good,
        ["Messaging:Transport"] = "RabbitMq",
        ["Messaging:RabbitMq:Host"] = "localhost",
        ["Messaging:RabbitMq:Username"] = "guest",
        ["Messaging:RabbitMq:Password"] = "guest",
    };

    [TestCase("Gateway:OperatorKey", null, "is not set")]
    [TestCase("Gateway:OperatorKey", "", "is not set")]
    [TestCase("Gateway:OperatorKey", "change-me-operator-key", "is a placeholder")]
    [TestCase("Gateway:OperatorKey", "demo-operator-key-that-is-long-enough-to-pass", "is a placeholder")]
    [TestCase("Gateway:OperatorKey", "Xq3vT9pLm2Rk8sWz1YbN4cHd7Jf", "is shorter than 32 characters")]
    [TestCase("Gateway:AppBackendKey", "change-me-app-backend-key", "is a placeholder")]
    [TestCase("Gateway:AppBackendKey", null, "is not set")]
    public async Task Should_refuse_to_start_naming_the_key_and_not_showing_it(string setting, string? value, string reason)
    {
        var settings = Settings();
        settings[setting] = value;

        var failure = await StartFailureAsync(settings);

        Assert.That(failure, Does.Contain($"{setting} (environment {setting.Replace(":", "__")}) {reason}"));
        Assert.That(failure, Does.Contain("openssl rand -base64 32"), "says what to do");
        if (!string.IsNullOrEmpty(value))
        {
            Assert.That(failure, Does.Not.Contain(value), "never the secret itself");
        }
    }

    [Test]
    public async Task Should_refuse_a_weak_database_password_on_a_server_beyond_this_machine()
    {
        var settings = Settings();
        settings["ConnectionStrings:Gateway"] = "Host=postgres;Port=5432;Database=notifiche_gateway;Username=notifiche;Password=notifiche";

        var failure = await StartFailureAsync(settings);

        Assert.That(failure, Does.Contain("The Password in ConnectionStrings:Gateway (environment ConnectionStrings__Gateway) is shorter than 32 characters"));
        Assert.That(failure, Does.Not.Contain("Password=notifiche"));
    }

    [Test]
    public async Task Should_refuse_a_weak_broker_password_on_a_broker_beyond_this_machine()
    {
        var settings = Settings();
        settings["Messaging:RabbitMq:Host"] = "rabbitmq";
        settings["Messaging:RabbitMq:Password"] = "change-me-broker-password-long-enough-to-pass";

        var failure = await StartFailureAsync(settings);

        Assert.That(failure, Does.Contain("Messaging:RabbitMq:Password (environment Messaging__RabbitMq__Password) is a placeholder"));
        Assert.That(failure, Does.Not.Contain("change-me-broker-password"));
    }

    [Test]
    public void Should_accept_good_keys_and_a_throwaway_password_on_a_loopback_broker_and_database()
    {
        var app = Build(Settings());

        Assert.DoesNotThrow(() => app.Services.GetRequiredService<IOptionsMonitor<StaticKeyOptions>>().Get("OperatorKey"));
        Assert.DoesNotThrow(() => _ = app.Services.GetRequiredService<IOptions<MessagingOptions>>().Value, "guest on localhost: a developer's broker");
        Assert.DoesNotThrow(() => app.Services.GetRequiredService<IOptionsMonitor<Notifiche.Persistence.DatabaseConnection>>().Get("Gateway"));
    }

    [TestCase("rabbitmq", false)]
    [TestCase("10.0.0.5", false)]
    [TestCase("localhost", true)]
    [TestCase("127.0.0.1", true)]
    [TestCase("127.1.2.3:5672", true)]
    [TestCase("::1", true)]
    [TestCase("[::1]:5432", true)]
    [TestCase("/var/run/postgresql", true)]
    [TestCase("localhost.example.it", false)]
    public void Should_count_only_loopback_and_local_sockets_as_this_machine(string host, bool local) =>
        Assert.That(Secrets.IsLocalHost(host), Is.EqualTo(local));

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.AddGateway();
        builder.AddNotificheBus();
        var app = builder.Build();
        app.MapGateway();
        return app;
    }

    /// <summary>
    /// Builds and starts the gateway and returns what it said when it refused (every validation failure, one per line).
    /// The broker's options refuse while the host is built (the host's shutdown timeout derives from them), the others
    /// when it starts: either way before anything listens or connects.
    /// </summary>
    private static async Task<string> StartFailureAsync(Dictionary<string, string?> settings)
    {
        var failure = Assert.CatchAsync(async () =>
        {
            await using var app = Build(settings);
            await app.StartAsync();
        });
        var messages = failure is AggregateException all ? all.InnerExceptions.Select(e => e.Message) : [failure!.Message];
        return string.Join('\n', messages);
    }
}
