using MassTransit;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Email.Composition;
using Notifiche.Dispatch.Email.Integrations.Pickup;
using Notifiche.Dispatch.Email.Integrations.Smtp;
using Notifiche.Dispatch.Email.Sending;
using Notifiche.Dispatching;

namespace Notifiche.Dispatch.Email;

public static class EmailDispatchExtensions
{
    public static IHostApplicationBuilder AddEmailDispatch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
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
}
