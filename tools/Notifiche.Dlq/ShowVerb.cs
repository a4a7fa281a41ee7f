using System.Globalization;
using Notifiche.Validation;
using System.Text;

namespace Notifiche.Dlq;

/// <summary>
/// <c>show</c>: one message's metadata and the headers that cannot carry personal data; the body only on request.
/// Whatever it prints came from a producer: control characters (a terminal's escape sequences, carriage returns that
/// overwrite a line) and bidirectional overrides are printed escaped, as <c>\u001B</c>.
/// </summary>
public static class ShowVerb
{
    private const int StackFrames = 15;

    public static async Task<int> RunAsync(BrokerSettings settings, string queue, string messageId, bool includeBody, TextWriter output,
        TextWriter error, CancellationToken cancellationToken)
    {
        await using var broker = await BrokerSession.OpenAsync(settings, cancellationToken);
        await using var pass = await DeadLetterPass.StartAsync(broker, queue, cancellationToken);
        while (await pass.NextAsync(cancellationToken) is { } delivery)
        {
            if (delivery.Message.MessageId == messageId)
            {
                Write(queue, delivery, includeBody, output, error);
                return ExitCodes.Ok;
            }
        }

        throw new DlqException($"No message with id {messageId} among the {pass.Count} message(s) of {queue}. "
            + $"'notifiche-dlq list --queue {queue}' lists their ids.");
    }

    private static void Write(string queue, Delivery delivery, bool includeBody, TextWriter output, TextWriter error)
    {
        var message = delivery.Message;
        var envelope = message.Envelope;
        var properties = message.Properties;
        var now = DateTimeOffset.UtcNow;
        output.WriteLine($"Message {Escape(message.MessageId ?? "-")} in {Escape(queue)} (position {delivery.Position})");
        Field(output, "message type", envelope.MessageTypes.Count > 0 ? string.Join(", ", envelope.MessageTypes)
            : envelope.IsJson ? "(no MassTransit envelope)" : "(body is not JSON)");
        Field(output, "notice id", envelope.NoticeId);
        Field(output, "reason", message.Reason);
        Field(output, "dead-lettered", message.DeadLetteredAt is { } at ? $"{at:O} ({Ages.Format(at, now)} ago)" : null);
        Field(output, "replays to", DeadLetterQueues.ReplayTarget(queue, message) ?? "(unknown: no x-death header)");
        Field(output, "deliveries", $"{message.Deliveries + 1} (this read included)");

        output.WriteLine("Envelope:");
        Field(output, "messageId", envelope.MessageId);
        Field(output, "correlationId", envelope.CorrelationId);
        Field(output, "conversationId", envelope.ConversationId);
        Field(output, "sentTime", envelope.SentTime?.ToString("O"));
        Field(output, "sourceAddress", envelope.SourceAddress);
        Field(output, "destinationAddress", envelope.DestinationAddress);
        Field(output, "headers", envelope.HeaderNames.Count > 0 ? $"{string.Join(", ", envelope.HeaderNames)} (values not shown)" : null);

        output.WriteLine("Properties:");
        Field(output, "content-type", properties.ContentType);
        Field(output, "delivery-mode", properties.IsDeliveryModePresent() ? properties.DeliveryMode.ToString() : null);
        Field(output, "message-id", properties.MessageId);
        Field(output, "correlation-id", properties.CorrelationId);
        Field(output, "timestamp", HeaderValues.Time(properties.Timestamp)?.ToString("O"));
        Field(output, "type", properties.Type);
        Field(output, "app-id", properties.AppId);
        Field(output, "body", $"{message.Body.Length} bytes");

        output.WriteLine("Headers:");
        foreach (var (name, value) in message.Headers.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            WriteHeader(output, name, value);
        }

        if (!includeBody)
        {
            output.WriteLine("Body not shown: it contains personal data (addresses, content). --include-body prints it.");
            return;
        }

        error.WriteLine("WARNING: the body below contains personal data (codice fiscale, addresses, the notice's content). "
            + "Do not paste it into tickets or chats.");
        output.WriteLine("Body:");
        output.WriteLine(Escape(Encoding.UTF8.GetString(message.Body.Span), keepLines: true));
    }

    /// <summary>Headers that cannot carry personal data are shown (fault text redacted); the value of any other is hidden.</summary>
    private static void WriteHeader(TextWriter output, string name, object? value)
    {
        switch (name)
        {
            case "x-death":
                var deaths = value is IEnumerable<object> list ? list.OfType<IDictionary<string, object?>>().Select(Death.From).ToList() : [];
                for (var i = 0; i < deaths.Count; i++)
                {
                    var d = deaths[i];
                    Field(output, $"x-death[{i}]", $"queue={d.Queue} reason={d.Reason} count={d.Count} time={d.Time:O} exchange={d.Exchange}");
                }

                return;
            case "MT-Fault-StackTrace":
                // Frames only: the first line repeats the exception message.
                var frames = (HeaderValues.Text(value) ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("at ", StringComparison.Ordinal)).ToList();
                Field(output, name, $"{frames.Count} frame(s){(frames.Count > StackFrames ? $", the first {StackFrames}" : "")}");
                foreach (var frame in frames.Take(StackFrames))
                {
                    output.WriteLine($"      {Escape(frame)}");
                }

                return;
            case "MT-Fault-Message" or "MT-Reason":
                Field(output, name, Redaction.Redact(HeaderValues.Text(value) ?? ""));
                return;
            case "x-delivery-count" or "x-first-death-queue" or "x-first-death-reason" or "x-first-death-exchange" or "x-last-death-queue"
                or "x-last-death-reason" or "x-last-death-exchange" or "Content-Type":
            case var _ when name.StartsWith("MT-Fault-", StringComparison.Ordinal) || name.StartsWith("MT-Host-", StringComparison.Ordinal):
                Field(output, name, HeaderValues.Text(value));
                return;
            default:
                Field(output, name, "(value hidden: it may carry personal data)");
                return;
        }
    }

    private static void Field(TextWriter output, string name, string? value) =>
        output.WriteLine($"  {Escape(name) + ":",-20} {(value is null ? "-" : Escape(value))}");

    /// <summary>Control characters (C0, DEL, C1) and bidirectional marks, embeddings, overrides and isolates as <c>\uXXXX</c>.</summary>
    public static string Escape(string text, bool keepLines = false)
    {
        if (!text.Any(c => IsUnsafe(c, keepLines)))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (IsUnsafe(c, keepLines))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    private static bool IsUnsafe(char c, bool keepLines) =>
        !(keepLines && c is '\n' or '\t')
        && HiddenFormatting.Is(c);
}
