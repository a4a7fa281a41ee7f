using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Notifiche.Messaging;

public static class BusRegistration
{
    /// <summary>
    /// The one bus setup every service uses: transport from configuration (RabbitMQ or in-memory), quorum queues,
    /// kebab-case endpoint names, retry with back-off for transient faults (permanent ones go straight to
    /// <c>&lt;queue&gt;_error</c>), MassTransit's usage telemetry off. Each service adds its consumers in <paramref name="configure"/>;
    /// calling this once per host with every service's consumers is how the Standalone host composes them.
    /// </summary>
    public static IHostApplicationBuilder AddNotificheBus(this IHostApplicationBuilder builder, params Action<IBusRegistrationConfigurator>[] configure)
    {
        builder.Services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var options = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        if (options.Transport == MessagingTransport.RabbitMq)
        {
            // Registered before the bus, so it has run when the bus starts declaring queues that point at it.
            builder.Services.AddHostedService<DeadLetterTopology>();
        }

        builder.Services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.AddConsumeObserver<NoticeIdTagging>();
            x.SetKebabCaseEndpointNameFormatter();
            foreach (var add in configure)
            {
                add(x);
            }

            x.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                var messaging = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                var retry = messaging.EndpointRetry.GetValueOrDefault(name)
                    ?? (CommandQueues.ProviderQueues.Contains(name) ? messaging.ProviderRetry : messaging.Retry);
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    QueueArguments.Apply(rabbit);
                }

                endpoint.UseMessageRetry(r =>
                {
                    r.Ignore<PermanentFailureException>();
                    r.Exponential(retry.Limit, retry.MinInterval, retry.MaxInterval, retry.Delta);
                    if (CommandQueues.DispatchChannels.TryGetValue(name, out var channel))
                    {
                        r.ConnectRetryObserver(new DispatchAttemptObserver(context, channel));
                    }
                });

                // Messages a consumer publishes leave only once it has succeeded: a retried attempt never publishes twice.
                endpoint.UseInMemoryOutbox(context);
            });

            if (options.Transport == MessagingTransport.InMemory)
            {
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.ConfigureEndpoints(context);
                });
                return;
            }

            x.UsingRabbitMq((context, cfg) =>
            {
                var rabbit = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                cfg.Host(rabbit.RabbitMq.Host, rabbit.RabbitMq.Port, rabbit.RabbitMq.VirtualHost, h =>
                {
                    h.Username(rabbit.RabbitMq.Username);
                    h.Password(rabbit.RabbitMq.Password);
                    h.ConnectionName(Assembly.GetEntryAssembly()?.GetName().Name ?? "notifiche");
                    h.PublisherConfirmation = true;
                });
                cfg.PrefetchCount = rabbit.PrefetchCount;
                CommandQueues.DeclareFor(cfg);
                cfg.SendTopology.ConfigureErrorSettings = QueueArguments.ApplyToDeadLetterQueue;
                cfg.SendTopology.ConfigureDeadLetterSettings = QueueArguments.ApplyToDeadLetterQueue;
                cfg.ConfigureEndpoints(context);
            });
        });

        return builder;
    }
}
