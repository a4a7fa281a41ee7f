using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using MassTransit;

namespace Notifiche.Messaging;

/// <summary>
/// Tags the current span of every consumed message that carries a <c>NoticeId</c> with <c>notifiche.notice_id</c>,
/// so an SRE can find a notice's trace by its id. The id is the only field read: no personal data reaches a span.
/// </summary>
public sealed class NoticeIdTagging : IConsumeObserver
{
    public const string Tag = "notifiche.notice_id";

    private static readonly ConcurrentDictionary<Type, PropertyInfo?> NoticeIds = new();

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        if (NoticeIdOf(context.Message) is { } id && Activity.Current is { } activity)
        {
            activity.SetTag(Tag, id.ToString());
        }

        return Task.CompletedTask;
    }

    /// <summary>The <c>NoticeId</c> a message carries (any contract with a <see cref="Guid"/> NoticeId), or null.</summary>
    public static Guid? NoticeIdOf(object message) =>
        NoticeIds.GetOrAdd(message.GetType(), t => t.GetProperty("NoticeId") is { PropertyType: var type } p && type == typeof(Guid) ? p : null)
            ?.GetValue(message) as Guid?;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
