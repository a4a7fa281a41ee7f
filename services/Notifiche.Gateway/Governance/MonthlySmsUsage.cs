namespace Notifiche.Gateway.Governance;

/// <summary>
/// SMS segments a service has reserved for one calendar month (UTC), counted in the accept transaction when it has a
/// monthly SMS budget (<see cref="SmsBudget"/>): each admitted notice that may go out as SMS reserves the most its SMS may
/// cost, and the reservation becomes the SMS's real segments when its outcome is final (nothing when routing plans no SMS).
/// </summary>
public class MonthlySmsUsage
{
    public required string ServiceId { get; set; }
    /// <summary>The month's first day.</summary>
    public DateOnly Month { get; set; }
    public int Segments { get; set; }
    /// <summary>What the row's last reservation took (the upsert's RETURNING reads it).</summary>
    public int LastReserved { get; set; }
}
