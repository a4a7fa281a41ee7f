using System.Text.Json;
using Notifiche.Contracts;

namespace Notifiche.Gateway.Outbox;

/// <summary>Serialises messages into outbox rows and back; only the types listed here may travel through the outbox.</summary>
public static class OutboxMessages
{
    private static readonly Dictionary<string, Type> Types = new[] { typeof(NoticeSubmitted), typeof(NoticeStatusChanged), typeof(Notices.SimulateTestNotice), typeof(Notices.RunEscalationStep) }
        .ToDictionary(t => t.FullName!, t => t);

    /// <summary>
    /// Rows the relay runs in the gateway instead of publishing: a test notice's simulated delivery, which must never
    /// reach the broker (routing or a dispatcher would act on it), and an escalation step's time (decided on the read state,
    /// which only the gateway has).
    /// </summary>
    public static bool IsLocal(Type type) => type == typeof(Notices.SimulateTestNotice) || type == typeof(Notices.RunEscalationStep);

    /// <summary>
    /// An outbox row whose publish continues the trace <paramref name="traceParent"/> (a W3C traceparent, e.g.
    /// <c>Activity.Current?.Id</c>), published at once or, with <paramref name="notBefore"/> later than now, from then on.
    /// A scheduled row keeps <paramref name="noticeId"/>, so that resolving the notice can cancel it.
    /// </summary>
    public static OutboxMessage Create<T>(T message, string? traceParent, DateTimeOffset now, DateTimeOffset? notBefore = null, Guid? noticeId = null)
        where T : class
    {
        if (!Types.ContainsKey(typeof(T).FullName!))
        {
            throw new ArgumentException($"{typeof(T).Name} is not registered as an outbox message type");
        }

        return new OutboxMessage
        {
            MessageType = typeof(T).FullName!,
            Payload = JsonSerializer.Serialize(message),
            TraceParent = traceParent,
            CreatedAt = now,
            NotBefore = notBefore > now ? notBefore.Value.ToUniversalTime() : now,
            NoticeId = notBefore > now ? noticeId : null,
        };
    }

    public static (object Message, Type Type) Read(OutboxMessage row)
    {
        var type = Types.GetValueOrDefault(row.MessageType)
            ?? throw new InvalidOperationException($"outbox row {row.Id} has unknown message type {row.MessageType}");
        return (JsonSerializer.Deserialize(row.Payload, type)!, type);
    }
}
