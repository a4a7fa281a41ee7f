using System.Reflection;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Messaging;

namespace Notifiche.Deploy.Tests;

/// <summary>One deployable service as the code defines it: its project, configuration keys and the queues it consumes.</summary>
public sealed class NotificheService
{
    public static readonly IReadOnlyList<NotificheService> All =
    [
        new("Notifiche.Gateway", typeof(Notifiche.Gateway.GatewayExtensions).Assembly),
        new("Notifiche.Preferences", typeof(Notifiche.Preferences.PreferencesExtensions).Assembly),
        new("Notifiche.Dispatch.Email", typeof(Notifiche.Dispatch.Email.EmailOptions).Assembly),
        new("Notifiche.Dispatch.Sms", typeof(Notifiche.Dispatch.Sms.SmsOptions).Assembly),
        new("Notifiche.Dispatch.Push", typeof(Notifiche.Dispatch.Push.PushOptions).Assembly),
        new("Notifiche.Dispatch.Telegram", typeof(Notifiche.Dispatch.Telegram.TelegramOptions).Assembly),
    ];

    private readonly Lazy<ConfigurationKeys> _configuration;
    private readonly Lazy<IReadOnlyList<string>> _queues;

    private NotificheService(string project, Assembly assembly)
    {
        Project = project;
        Assembly = assembly;
        _configuration = new(() => new ConfigurationKeys(
            Repository.Read("services", project, "appsettings.json"), [assembly, typeof(MessagingOptions).Assembly]));
        _queues = new(() => ConsumerQueues(assembly));
    }

    public string Project { get; }

    public Assembly Assembly { get; }

    public ConfigurationKeys Configuration => _configuration.Value;

    /// <summary>The receive endpoints (queues) of its consumers, named as MassTransit names them at run time.</summary>
    public IReadOnlyList<string> ConsumedQueues => _queues.Value;

    public static NotificheService Named(string project) => All.Single(s => s.Project == project);

    public override string ToString() => Project;

    private static IReadOnlyList<string> ConsumerQueues(Assembly assembly)
    {
        using var services = new ServiceCollection().AddOptions().BuildServiceProvider();
        var types = assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }).ToList();
        var definitions = types
            .Select(t => (Definition: t, Consumer: ConsumerOfDefinition(t)))
            .Where(d => d.Consumer is not null)
            .ToDictionary(d => d.Consumer!, d => d.Definition);

        return types
            .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>)))
            .Select(consumer => definitions.TryGetValue(consumer, out var definition)
                ? ((IConsumerDefinition)ActivatorUtilities.CreateInstance(services, definition)).GetEndpointName(KebabCaseEndpointNameFormatter.Instance)
                : (string)typeof(IEndpointNameFormatter).GetMethod(nameof(IEndpointNameFormatter.Consumer))!
                    .MakeGenericMethod(consumer).Invoke(KebabCaseEndpointNameFormatter.Instance, null)!)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static Type? ConsumerOfDefinition(Type type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ConsumerDefinition<>))
            {
                return t.GetGenericArguments()[0];
            }
        }

        return null;
    }
}
