using Notifiche.Client;
using Notifiche.Testing;

namespace Notifiche.Client.Tests;

/// <summary>One running platform (real hosts on RabbitMQ, PostgreSQL and SMTP) for every spec of this assembly.</summary>
[SetUpFixture]
public sealed class Platform
{
    private static PlatformHosts? _hosts;

    public static PlatformHosts Hosts => _hosts ?? throw new InvalidOperationException("platform not started");

    /// <summary>Retries that wait almost nothing unless the platform says how long (Retry-After).</summary>
    public static NotificheRetryOptions FastRetry => new() { MaxRetryAttempts = 3, Delay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(10) };

    /// <summary>Registers a live service through the admin API and returns a client with its key.</summary>
    public static async Task<NotificheClient> ServiceClientAsync(string id, HttpMessageHandler? transport = null) =>
        NotificheClient.Create(new NotificheClientOptions
        {
            BaseAddress = Hosts.Gateway.BaseAddress,
            ApiKey = await ServiceOnboarding.RegisterLiveAsync(Hosts.Management, PlatformHosts.OperatorKey, id, "Anagrafe", ["email"]),
            Retry = FastRetry,
        }, transport);

    /// <summary>The citizen app backend's client: the inbox on the gateway, profiles on the preferences host.</summary>
    public static NotificheAppBackendClient AppBackendClient() =>
        NotificheAppBackendClient.Create(new NotificheAppBackendClientOptions
        {
            BaseAddress = Hosts.Gateway.BaseAddress,
            ProfilesAddress = Hosts.Preferences.BaseAddress,
            ApiKey = PlatformHosts.AppBackendKey,
            Retry = FastRetry,
        });

    public const string Markdown = "La tua carta di identità scade il 26/12/2026. Prenota il rinnovo sul **sito del Comune** o allo sportello.";

    public static NewNotice Notice(string fiscalCode, string? email = null) =>
        new(fiscalCode, new NoticeContent("La tua carta di identità scade tra 30 giorni", Markdown)
        {
            DueDate = new DateOnly(2026, 12, 26),
        })
        {
            TimeToLive = 3600,
            DefaultAddresses = email is null ? null : new DefaultAddresses(email),
        };

    [OneTimeSetUp]
    public async Task StartAsync() => _hosts = await PlatformHosts.StartAsync("client");

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_hosts is not null)
        {
            await _hosts.DisposeAsync();
        }
    }
}
