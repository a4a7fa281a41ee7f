using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;
using Notifiche.Dispatch.Email;
using Notifiche.Dispatch.Email.Sending;
using Notifiche.Dispatch.Ledger;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Issue 16, point 9: the email dispatcher requires STARTTLS unless told otherwise. Against a real SMTP server that does
/// not offer it (the test server, plain aiosmtpd), the default sends nothing — in clear or at all — and says why;
/// plain SMTP is an explicit choice (<c>Email:Smtp:Security</c> <c>None</c>, as the test settings and compose's Mailpit make).
/// </summary>
public class Sending_email_through_a_relay_without_starttls
{
    private SmtpTestServer _smtp = null!;

    [SetUp]
    public async Task StartAsync() => _smtp = await SmtpTestServer.StartNewAsync();

    [TearDown]
    public async Task StopAsync() => await _smtp.DisposeAsync();

    [Test]
    public async Task Should_refuse_by_default_and_send_nothing()
    {
        var settings = _smtp.DispatcherSettings(poolSize: 1);
        settings.Remove("Email:Smtp:Security");

        var result = await SendAsync(settings);

        Assert.That(result, Is.EqualTo(new DeliveryResult.Transient("SMTP connection: no STARTTLS")), "replayable once the relay offers TLS");
        Assert.That(_smtp.Count(), Is.Zero);
    }

    [Test]
    public async Task Should_send_in_clear_only_when_chosen()
    {
        var result = await SendAsync(_smtp.DispatcherSettings(poolSize: 1)); // Email:Smtp:Security = None

        Assert.That(result, Is.InstanceOf<DeliveryResult.Sent>());
        Assert.That(_smtp.Count(), Is.EqualTo(1));
    }

    private static async Task<DeliveryResult> SendAsync(Dictionary<string, string?> smtp)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(TestDispatchLedger.Sqlite());
        builder.Configuration.AddInMemoryCollection(smtp);
        builder.AddEmailDispatch();
        using var host = builder.Build();
        var message = new MimeMessage { Subject = "Prova", Body = new TextPart("plain") { Text = "Prova" } };
        message.From.Add(MailboxAddress.Parse("noreply@notifiche.example.it"));
        message.To.Add(MailboxAddress.Parse($"tls-{Guid.NewGuid():N}@example.it"));
        return await host.Services.GetRequiredService<IEmailSender>().SendAsync(message, ProviderHandOffs.Unguarded, CancellationToken.None);
    }
}
