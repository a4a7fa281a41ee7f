using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifiche.Testing;

namespace Notifiche.Client.Tests;

public class Registering_the_clients_with_dependency_injection
{
    [Test]
    public async Task Should_send_the_key_and_retry_with_the_same_idempotency_key()
    {
        var apiKey = await ServiceOnboarding.RegisterLiveAsync(Platform.Hosts.Management, PlatformHosts.OperatorKey, "client-di", "Anagrafe", ["email"]);
        var transport = new SpoilFirstAttempt(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(1), afterTheGateway: false);
        var services = new ServiceCollection();
        services.AddNotificheClient(o =>
        {
            o.BaseAddress = Platform.Hosts.Gateway.BaseAddress;
            o.ApiKey = apiKey;
            o.Retry = Platform.FastRetry;
        }).ConfigurePrimaryHttpMessageHandler(() => transport);
        await using var provider = services.BuildServiceProvider();

        var submitted = await provider.GetRequiredService<NotificheClient>().SubmitNoticeAsync(Platform.Notice(Citizens.NewFiscalCode(), "sara.rosa@example.it"));

        Assert.That(transport.Keys, Is.EqualTo(new[] { submitted.IdempotencyKey, submitted.IdempotencyKey }));
        Assert.That((await provider.GetRequiredService<NotificheClient>().GetNoticeAsync(submitted.Id))?.Id, Is.EqualTo(submitted.Id));
    }

    [Test]
    public async Task Should_call_profiles_at_their_own_address()
    {
        var services = new ServiceCollection();
        services.AddNotificheAppBackendClient(o =>
        {
            o.BaseAddress = Platform.Hosts.Gateway.BaseAddress;
            o.ProfilesAddress = Platform.Hosts.Preferences.BaseAddress;
            o.ApiKey = PlatformHosts.AppBackendKey;
        });
        await using var provider = services.BuildServiceProvider();
        var app = provider.GetRequiredService<NotificheAppBackendClient>();
        var citizen = Citizens.NewFiscalCode();

        await app.PutProfileAsync(citizen, new ProfileUpdate { Email = "elena.grigi@example.it" });

        Assert.That((await app.GetProfileAsync(citizen))?.Email, Is.EqualTo("elena.grigi@example.it"));
        Assert.That((await app.ListInboxAsync(citizen)).Items, Is.Empty, "the inbox is the gateway's");
    }

    [Test]
    public void Should_refuse_options_without_an_address_or_a_key()
    {
        var services = new ServiceCollection();
        services.AddNotificheClient(o => o.ApiKey = "a-key");
        using var provider = services.BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<NotificheClientOptions>>().Value);
    }
}
