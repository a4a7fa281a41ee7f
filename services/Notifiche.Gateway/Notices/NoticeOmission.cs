namespace Notifiche.Gateway.Notices;

/// <summary>A channel the gateway withheld from a notice's routing, and why (shown in the notice's status).</summary>
public class NoticeOmission
{
    public Guid NoticeId { get; set; }
    public required string Channel { get; set; }
    public required string Reason { get; set; }
}

public static class OmissionReasons
{
    public const string SmsBudgetExhausted = "SMS_BUDGET_EXHAUSTED";
}
