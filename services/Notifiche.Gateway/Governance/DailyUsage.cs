namespace Notifiche.Gateway.Governance;

/// <summary>Notices a service had accepted on one UTC day, counted in the accept transaction when it has a daily quota.</summary>
public class DailyUsage
{
    public required string ServiceId { get; set; }
    public DateOnly Day { get; set; }
    public int Notices { get; set; }
}
