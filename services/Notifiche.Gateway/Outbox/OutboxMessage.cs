namespace Notifiche.Gateway.Outbox;

/// <summary>A message committed with the business change it announces, published by the relay afterwards.</summary>
public class OutboxMessage
{
    public long Id { get; set; }
    public required string MessageType { get; set; }
    public required string Payload { get; set; }
    /// <summary>W3C traceparent of the request that wrote it, so the trace continues through the relay.</summary>
    public string? TraceParent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
