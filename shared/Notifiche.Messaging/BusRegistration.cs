using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Notifiche.Messaging;

public static class BusRegistration
{
    /// <summary>Time the bus, then the host, get beyond <see cref="MessagingOptions.ShutdownTimeout"/> to stop.</summary>
    public static readonly TimeSpan StopMargin = TimeSpan.FromSeconds(5);

    /// <summary>Name of the bus's health check in the health answers.</summary>
    public const string BusHealthCheck = "masstransit-bus";

    /// <summary>
    /// A service's consumers, for the host's one bus: each service's <c>Add…()</c> calls this, and
    /// <see cref="AddNotificheBus"/> — called once, after every service of the host was added — registers them all.
    /// </summary>
    public static IHostApplicationBuilder AddBusConsumers(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> consumers)
    {
        Parts(builder).Add(consumers);
        return builder;
    }

    /// <summary>
    /// The one bus setup every service uses: transport from configuration (RabbitMQ or in-memory), quorum queues,
    /// kebab-case endpoint names, each endpoint's retry and dead-lettering as <see cref="DeliveryPolicy"/> states them,
    /// MassTransit's usage telemetry off, with the consumers of every service added to
    /// the host (<see cref="AddBusConsumers"/>) and any in <paramref name="configure"/>. Once per host.
    /// </summary>
    public static IHostApplicationBuilder AddNotificheBus(this IHostApplicationBuilder builder, params Action<IBusRegistrationConfigurator>[] configure)
    {
        configure = [.. Parts(builder), .. configure];
        builder.Services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var options = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        ConfigureGracefulShutdown(builder.Services);
        if (options.Transport == MessagingTransport.RabbitMq)
        {
            // Registered before the bus, so it has run when the bus starts declaring queues that point at it.
            builder.Services.AddHostedService<DeadLetterTopology>();
        }

        builder.Services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            // Tagged "bus" only (ServiceDefaultsExtensions.BusTag): without tags MassTransit adds "ready", and a broker
            // outage would take every gateway out of its load balancer while its outbox could still accept notices.
            x.ConfigureHealthCheckOptions(o =>
            {
                o.Name = BusHealthCheck;
                o.Tags.Add("bus");
            });
            x.AddConsumeObserver<NoticeIdTagging>();
            x.SetKebabCaseEndpointNameFormatter();
            foreach (var add in configure)
            {
                add(x);
            }

            x.AddConfigureEndpointsCallback(DeliveryPolicy.Apply);

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
                var nodes = rabbit.RabbitMq.Nodes();
                // The first node names the bus in message addresses; with a cluster, connections go to the nodes below.
                cfg.Host(nodes[0].Host, nodes[0].Port, rabbit.RabbitMq.VirtualHost, h =>
                {
                    h.Username(rabbit.RabbitMq.Username);
                    h.Password(rabbit.RabbitMq.Password);
                    h.ConnectionName(Assembly.GetEntryAssembly()?.GetName().Name ?? "notifiche");
                    h.PublisherConfirmation = true;
                    if (rabbit.RabbitMq.Tls.Enabled)
                    {
                        h.UseSsl(ssl => BrokerTls.Apply(ssl, rabbit.RabbitMq.Tls, nodes[0].Host));
                    }

                    if (rabbit.RabbitMq.Hosts.Count > 0)
                    {
                        h.UseCluster(c =>
                        {
                            // MassTransit tries one node per connection attempt, in this order, round and round. Shuffled per
                            // process, so that the replicas' connections (and the quorum queue leaders their declarations
                            // place, RabbitMQ's client-local default) spread over the nodes instead of all landing on the first.
                            var order = nodes.ToArray();
                            Random.Shared.Shuffle(order);
                            foreach (var node in order)
                            {
                                c.Node(node.ToString());
                            }
                        });
                    }
                });
                cfg.PrefetchCount = rabbit.PrefetchCount;
                CommandQueues.DeclareFor(cfg);
                EventQueues.DeclareFor(cfg);
                cfg.SendTopology.ConfigureErrorSettings = QueueArguments.ApplyToDeadLetterQueue;
                cfg.SendTopology.ConfigureDeadLetterSettings = QueueArguments.ApplyToDeadLetterQueue;
                cfg.ConfigureEndpoints(context);
            });
        });

        return builder;
    }

    private static List<Action<IBusRegistrationConfigurator>> Parts(IHostApplicationBuilder builder)
    {
        if (!builder.Properties.TryGetValue(typeof(BusRegistration), out var parts))
        {
            builder.Properties[typeof(BusRegistration)] = parts = new List<Action<IBusRegistrationConfigurator>>();
        }

        return (List<Action<IBusRegistrationConfigurator>>)parts;
    }

    // The bus stops consuming at once (the broker consumer is cancelled) and waits for the messages in hand; their
    // consume tokens are cancelled at ShutdownTimeout, and the wait ends StopMargin later. The host's own timeout
    // covers both. WaitUntilStarted stays false: a service starts (and reports not ready) while the broker is away.
    private static void ConfigureGracefulShutdown(IServiceCollection services)
    {
        services.AddOptions<MassTransitHostOptions>().Configure<IOptions<MessagingOptions>>((host, messaging) =>
        {
            host.ConsumerStopTimeout = messaging.Value.ShutdownTimeout;
            host.StopTimeout = messaging.Value.ShutdownTimeout + StopMargin;
        });
        services.AddOptions<HostOptions>().Configure<IOptions<MessagingOptions>>((host, messaging) =>
            host.ShutdownTimeout = messaging.Value.ShutdownTimeout + StopMargin + StopMargin);
    }
}
