using Notifiche.Contracts;

namespace Notifiche.Gateway.Registry;

/// <summary>
/// A sending service of the registry (the census): who it is, which channels it may use, and the operator's controls
/// over it (issue 8: state, sandbox recipients, rate, quota, SMS budget, source networks).
/// </summary>
public class ServiceRecord
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string OrganizationName { get; set; }
    public List<string> AllowedChannels { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public string? Department { get; set; }
    /// <summary>The organisation's numeric codice fiscale (11 digits).</summary>
    public string OrganizationFiscalCode { get; set; } = string.Empty;
    public string ContactEmail { get; set; } = string.Empty;
    /// <summary>Kinds of notice the service declared (e.g. <c>identity-card-expiry</c>).</summary>
    public List<string> NoticeCategories { get; set; } = [];
    public int? ExpectedMonthlyEmail { get; set; }
    public int? ExpectedMonthlySms { get; set; }
    public int? ExpectedMonthlyPush { get; set; }
    public int? ExpectedMonthlyTelegram { get; set; }
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
    /// <summary>May mark a notice <c>urgent</c> (delivered inside the citizen's quiet hours); granted by the operator, off by default.</summary>
    public bool UrgentAllowed { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }

    public int? ExpectedMonthly(string channel) => channel switch
    {
        Channels.Email => ExpectedMonthlyEmail,
        Channels.Sms => ExpectedMonthlySms,
        Channels.Push => ExpectedMonthlyPush,
        Channels.Telegram => ExpectedMonthlyTelegram,
        _ => null,
    };

    public void SetExpectedMonthly(string channel, int? volume)
    {
        switch (channel)
        {
            case Channels.Email: ExpectedMonthlyEmail = volume; break;
            case Channels.Sms: ExpectedMonthlySms = volume; break;
            case Channels.Push: ExpectedMonthlyPush = volume; break;
            case Channels.Telegram: ExpectedMonthlyTelegram = volume; break;
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
