using MassTransit;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Email.Composition;
using Notifiche.Dispatch.Email.Integrations.Pickup;
using Notifiche.Dispatch.Email.Integrations.Smtp;
using Notifiche.Dispatch.Email.Sending;
using Notifiche.Dispatch.Ledger;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;

namespace Notifiche.Dispatch.Email;

public static class EmailDispatchExtensions
{
    /// <summary>
    /// Everything the email dispatcher needs: service defaults, its ledger (migrated at start), its sender and its
    /// consumer on the host's bus. The host then calls <c>AddNotificheBus()</c> once and <see cref="MapEmailDispatch"/>.
    /// </summary>
    public static IHostApplicationBuilder AddEmailDispatch(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddBusConsumers(bus => bus.AddEmailDispatchConsumers());
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations()
            // The mail provider issues the SMTP password, so no length of ours applies; a placeholder never does.
            .ValidateSecrets(o => o.Transport == EmailTransport.Smtp && !string.IsNullOrEmpty(o.Smtp.Username)
                ? [Secrets.Problem("Email:Smtp:Password", o.Smtp.Password, minimumLength: 1)]
                : []);
        builder.AddDispatchLedger();
        // MailKit's own SMTP spans and meters (the "MailKit.Net.SmtpClient" source), picked up by the service defaults.
        MailKit.Telemetry.SmtpClient.Configure();
        builder.Services.AddSingleton<EmailComposer>();
        builder.Services.AddSingleton<SmtpConnectionPool>();
        builder.Services.AddSingleton<IEmailSender>(sp =>
            sp.GetRequiredService<IOptions<EmailOptions>>().Value.Transport == EmailTransport.PickupDirectory
                ? ActivatorUtilities.CreateInstance<PickupDirectoryEmailSender>(sp)
                : ActivatorUtilities.CreateInstance<SmtpEmailSender>(sp));
        return builder;
    }

    public static void AddEmailDispatchConsumers(this IBusRegistrationConfigurator bus) => bus.AddConsumer<SendEmailConsumer>();

    /// <summary>Health and metrics (a dispatcher has no API).</summary>
    public static WebApplication MapEmailDispatch(this WebApplication app) => app.MapDefaultEndpoints();
}
