using Notifiche.Contracts;

namespace Notifiche.Gateway.Data;

/// <summary>The census and the operator's controls over a service (issue 8).</summary>
public partial class ServiceRecord
{
    public string? Department { get; set; }
    /// <summary>The organisation's numeric codice fiscale (11 digits).</summary>
    public string OrganizationFiscalCode { get; set; } = string.Empty;
    public string ContactEmail { get; set; } = string.Empty;
    /// <summary>Kinds of notice the service declared (e.g. <c>identity-card-expiry</c>).</summary>
    public List<string> NoticeCategories { get; set; } = [];
    public int? ExpectedMonthlyEmail { get; set; }
    public int? ExpectedMonthlySms { get; set; }
    public int? ExpectedMonthlyPush { get; set; }
    /// <summary><see cref="ServiceStates"/>: a new service starts in sandbox.</summary>
    public string State { get; set; } = ServiceStates.Sandbox;
    /// <summary>In sandbox, the only codici fiscali the service may send to.</summary>
    public List<string> SandboxRecipients { get; set; } = [];
    /// <summary>Token bucket: sustained notices per second (null: no rate limit) and burst size.</summary>
    public double? RatePerSecond { get; set; }
    public int? RateBurst { get; set; }
    /// <summary>Notices per UTC day; null: no quota.</summary>
    public int? DailyNoticeQuota { get; set; }
    /// <summary>SMS budget per calendar month (UTC): segments and/or euro; null: none.</summary>
    public int? MonthlySmsSegmentBudget { get; set; }
    public decimal? MonthlySmsEuroBudget { get; set; }
    /// <summary>Source networks (CIDR) the HTTP API accepts this service's requests from; empty: any.</summary>
    public List<string> AllowedSourceCidrs { get; set; } = [];
    public DateTimeOffset? UpdatedAt { get; set; }

    public int? ExpectedMonthly(string channel) => channel switch
    {
        Channels.Email => ExpectedMonthlyEmail,
        Channels.Sms => ExpectedMonthlySms,
        Channels.Push => ExpectedMonthlyPush,
        _ => null,
    };

    public void SetExpectedMonthly(string channel, int? volume)
    {
        switch (channel)
        {
            case Channels.Email: ExpectedMonthlyEmail = volume; break;
            case Channels.Sms: ExpectedMonthlySms = volume; break;
            case Channels.Push: ExpectedMonthlyPush = volume; break;
            default: throw new ArgumentOutOfRangeException(nameof(channel), channel, "unknown channel");
        }
    }
}

public static class ServiceStates
{
    /// <summary>May send only to its sandbox recipients.</summary>
    public const string Sandbox = "sandbox";
    public const string Active = "active";
    /// <summary>May send nothing (403); status reads still work.</summary>
    public const string Suspended = "suspended";
}

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

/// <summary>A service's token bucket, shared by every gateway instance (one atomic UPDATE per request).</summary>
public class RateBucket
{
    public required string ServiceId { get; set; }
    public double Tokens { get; set; }
    /// <summary>Unix milliseconds of the last refill: integer arithmetic that PostgreSQL and SQLite evaluate alike.</summary>
    public long RefilledAtMs { get; set; }
    /// <summary>1 when the last take succeeded (read back with RETURNING).</summary>
    public int Granted { get; set; }
}

/// <summary>Notices a service had accepted on one UTC day, counted in the accept transaction when it has a daily quota.</summary>
public class DailyUsage
{
    public required string ServiceId { get; set; }
    public DateOnly Day { get; set; }
    public int Notices { get; set; }
}
