using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace Notifiche.Dlq;

/// <summary>
/// What the tool may say about one dead-lettered message: ids, type, reason, times — read from the AMQP properties,
/// the transport headers and the MassTransit envelope's metadata. The message body (addresses, subject, text) is
/// never surfaced here; only <c>show --include-body</c> prints it, on request.
/// </summary>
public sealed class DeadLetter
{
    private const string FaultMessageHeader = "MT-Fault-Message";
    private const string FaultExceptionTypeHeader = "MT-Fault-ExceptionType";
    private const string FaultTimestampHeader = "MT-Fault-Timestamp";
    private const string ReasonHeader = "MT-Reason";
    private const string DeathHeader = "x-death";
    private const string DeliveryCountHeader = "x-delivery-count";

    private DeadLetter(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, Envelope envelope)
    {
        Properties = properties;
        Body = body;
        Envelope = envelope;
        Headers = properties.Headers ?? new Dictionary<string, object?>();
        Deaths = Headers.TryGetValue(DeathHeader, out var deaths) && deaths is IEnumerable<object> list
            ? list.OfType<IDictionary<string, object?>>().Select(Death.From).ToList()
            : [];
    }

    public IReadOnlyBasicProperties Properties { get; }
    public ReadOnlyMemory<byte> Body { get; }
    public IDictionary<string, object?> Headers { get; }
    public Envelope Envelope { get; }
    public IReadOnlyList<Death> Deaths { get; }

    /// <summary>The AMQP message id (MassTransit sets it), else the envelope's.</summary>
    public string? MessageId => Properties.MessageId is { Length: > 0 } id ? id : Envelope.MessageId;

    /// <summary>The queue the broker dead-lettered the message from (first <c>x-death</c> entry), if it did.</summary>
    public string? DeathQueue => Deaths.FirstOrDefault()?.Queue;

    /// <summary>How many times the queue has delivered it (quorum queues count every delivery, inspections included).</summary>
    public long Deliveries => Headers.TryGetValue(DeliveryCountHeader, out var count) ? HeaderValues.Number(count) ?? 0 : 0;

    /// <summary>When it became a dead letter: the fault time, else the broker's dead-lettering time, else when it was sent.</summary>
    public DateTimeOffset? DeadLetteredAt =>
        HeaderValues.Time(Header(FaultTimestampHeader)) ?? Deaths.FirstOrDefault()?.Time ?? Envelope.SentTime ?? HeaderValues.Time(Properties.Timestamp);

    /// <summary>Why it is here, from MassTransit's fault headers or the broker's <c>x-death</c>; redacted, not truncated.</summary>
    public string Reason
    {
        get
        {
            if (HeaderValues.Text(Header(FaultMessageHeader)) is { } fault)
            {
                var type = HeaderValues.Text(Header(FaultExceptionTypeHeader));
                return Redaction.Redact(type is null ? fault : $"{type[(type.LastIndexOf('.') + 1)..]}: {fault}");
            }

            if (Deaths.FirstOrDefault() is { } death)
            {
                return Redaction.Redact($"{death.Reason} from {death.Queue} ({death.Count} time(s))");
            }

            return HeaderValues.Text(Header(ReasonHeader)) switch
            {
                "skip" => "skipped: no consumer for this message type",
                { } reason => Redaction.Redact(reason),
                null => "(no reason recorded)",
            };
        }
    }

    public static DeadLetter From(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body) =>
        new(properties, body, Envelope.Parse(body.Span));

    private object? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>One entry of the broker's <c>x-death</c> header.</summary>
public sealed record Death(string? Queue, string? Reason, long? Count, DateTimeOffset? Time, string? Exchange)
{
    public static Death From(IDictionary<string, object?> entry)
    {
        object? Get(string key) => entry.TryGetValue(key, out var value) ? value : null;
        return new Death(HeaderValues.Text(Get("queue")), HeaderValues.Text(Get("reason")), HeaderValues.Number(Get("count")),
            HeaderValues.Time(Get("time")), HeaderValues.Text(Get("exchange")));
    }
}

/// <summary>The metadata of a MassTransit JSON envelope (or of a bare JSON message); nothing from the message but its notice id.</summary>
public sealed record Envelope(bool IsJson, string? MessageId, string? CorrelationId, string? ConversationId, IReadOnlyList<string> MessageTypes,
    string? NoticeId, DateTimeOffset? SentTime, string? SourceAddress, string? DestinationAddress, IReadOnlyList<string> HeaderNames)
{
    private static readonly Envelope NotJson = new(false, null, null, null, [], null, null, null, null, []);

    /// <summary>The short message type: <c>SendEmail</c> for <c>urn:message:Notifiche.Contracts:SendEmail</c>.</summary>
    public string? ShortType => MessageTypes.FirstOrDefault() is { } urn ? urn[(urn.LastIndexOf(':') + 1)..] : null;

    public static Envelope Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var json = JsonDocument.ParseValue(ref reader);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return NotJson with { IsJson = true };
            }

            var isEnvelope = Property(root, "messageType") is { ValueKind: JsonValueKind.Array } && Property(root, "message") is { ValueKind: JsonValueKind.Object };
            var message = isEnvelope ? Property(root, "message")!.Value : root;
            return new Envelope(true,
                isEnvelope ? Text(root, "messageId") : null,
                isEnvelope ? Text(root, "correlationId") : null,
                isEnvelope ? Text(root, "conversationId") : null,
                isEnvelope ? Property(root, "messageType")!.Value.EnumerateArray().Select(t => t.GetString() ?? "").ToList() : [],
                Text(message, "noticeId"),
                isEnvelope && DateTimeOffset.TryParse(Text(root, "sentTime"), out var sent) ? sent : null,
                isEnvelope ? Text(root, "sourceAddress") : null,
                isEnvelope ? Text(root, "destinationAddress") : null,
                isEnvelope && Property(root, "headers") is { ValueKind: JsonValueKind.Object } headers
                    ? headers.EnumerateObject().Select(h => h.Name).ToList()
                    : []);
        }
        catch (JsonException)
        {
            return NotJson;
        }
    }

    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String or JsonValueKind.Number } value ? value.ToString() : null;
}

/// <summary>AMQP header values as RabbitMQ.Client hands them over: strings arrive as UTF-8 bytes, times as <see cref="AmqpTimestamp"/>.</summary>
public static class HeaderValues
{
    public static string? Text(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        AmqpTimestamp time => Time(time)?.ToString("O"),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    public static long? Number(object? value) => value switch
    {
        null => null,
        byte or sbyte or short or ushort or int or uint or long => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        _ => long.TryParse(Text(value), out var number) ? number : null,
    };

    public static DateTimeOffset? Time(object? value) => value switch
    {
        null => null,
        AmqpTimestamp { UnixTime: > 0 } time => DateTimeOffset.FromUnixTimeSeconds(time.UnixTime),
        AmqpTimestamp => null,
        _ => DateTimeOffset.TryParse(Text(value), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null,
    };
}
