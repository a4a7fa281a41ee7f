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
    /// <summary>Left out of the first delivery of a notice with escalation: a later step sends on it if the notice is still unread.</summary>
    public const string EscalationStep = "ESCALATION_STEP";
}
