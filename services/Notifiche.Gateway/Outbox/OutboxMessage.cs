namespace Notifiche.Gateway.Outbox;

/// <summary>A message committed with the business change it announces, published by the relay afterwards.</summary>
public class OutboxMessage : Notifiche.Persistence.IDueRow
{
    public long Id { get; set; }
    public required string MessageType { get; set; }
    public required string Payload { get; set; }
    /// <summary>W3C traceparent of the request that wrote it, so the trace continues through the relay.</summary>
    public string? TraceParent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>
    /// Published from this time on: <see cref="CreatedAt"/> for a message to publish at once, later for scheduled work
    /// (a notice's <c>send_at</c>). The relay takes due rows in this order, by index.
    /// </summary>
    public DateTimeOffset NotBefore { get; set; }
    /// <summary>
    /// The notice a scheduled row routes (its send_at, or a due-date reminder's time): <c>resolve</c> cancels it by deleting
    /// the row before it is due. Null for rows published at once.
    /// </summary>
    public Guid? NoticeId { get; set; }
}
