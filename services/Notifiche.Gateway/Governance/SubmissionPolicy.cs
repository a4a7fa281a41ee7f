using Microsoft.Extensions.Options;
using Notifiche.Contracts;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Governance;

/// <summary>Why a submission was refused: a code (<see cref="RefusalCodes"/>) and an HTTP status with a problem the sender can act on.</summary>
public sealed record SubmissionRefusal(string Code, int Status, string Title, string Detail, TimeSpan? RetryAfter = null, string? Field = null)
{
    /// <summary>
    /// The HTTP answer: problem+json with the status, <c>Retry-After</c> in whole seconds when there is a wait, and an
    /// <c>errors</c> map naming the request's field when one field is what the policy refused.
    /// </summary>
    public IResult ToResult(HttpContext http)
    {
        if (RetryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = ((long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Field is null
            ? Results.Problem(statusCode: Status, title: Title, detail: Detail)
            : Results.ValidationProblem(new Dictionary<string, string[]> { [Field] = [Title] }, statusCode: Status, title: Title, detail: Detail);
    }
}

/// <summary>Machine-readable reasons for a refused submission (metric label; a broker ingress can report them too).</summary>
public static class RefusalCodes
{
    public const string ServiceSuspended = "SERVICE_SUSPENDED";
    public const string SandboxRecipient = "SANDBOX_RECIPIENT_NOT_ALLOWED";
    public const string SandboxDefaultAddress = "SANDBOX_DEFAULT_ADDRESS_NOT_ALLOWED";
    public const string DailyQuota = "DAILY_QUOTA_REACHED";
    public const string RateLimited = "RATE_LIMITED";
    public const string SourceAddress = "SOURCE_ADDRESS_NOT_ALLOWED";
    public const string UrgentNotAllowed = "URGENT_NOT_ALLOWED";
}

/// <summary>What the policy decided for a submission it let in.</summary>
/// <param name="AllowedChannels">The channels routing may plan (the service's, minus those withheld).</param>
/// <param name="Omitted">Channels withheld from routing, with the reason (see <see cref="OmissionReasons"/>).</param>
/// <param name="SmsReservedSegments">SMS segments reserved in the service's monthly budget for this notice (<see cref="SmsBudget"/>); null: none.</param>
public sealed record Admission(IReadOnlyList<string> AllowedChannels, IReadOnlyList<(string Channel, string Reason)> Omitted, int? SmsReservedSegments = null);

/// <summary>
/// The checks every submission path goes through, whatever carried the notice (HTTP today, the broker's SubmitNotice
/// tomorrow): service state, sandbox recipients, daily quota, monthly SMS budget. Called inside the accept transaction,
/// so the daily and monthly counters move only with a committed notice. HTTP-only checks (source address, rate) are in <see cref="HttpSubmissionFilters"/>.
/// </summary>
public sealed class SubmissionPolicy(GatewayDbContext db, IOptions<SmsBudgetOptions> smsBudget)
{
    /// <param name="test">
    /// Sent with a test key: delivered to nobody, so neither the sandbox's recipients nor its default-address rule apply, and it
    /// counts for no quota or SMS budget; a suspended service is refused all the same (and the HTTP rate limit applies).
    /// </param>
    public async Task<(Admission? Admission, SubmissionRefusal? Refusal)> AdmitAsync(ServiceRecord service, ValidNotice notice, DateTimeOffset now,
        CancellationToken ct, bool test = false)
    {
        var fiscalCode = notice.FiscalCode;
        if (service.State == ServiceStates.Suspended)
        {
            return (null, new SubmissionRefusal(RefusalCodes.ServiceSuspended, StatusCodes.Status403Forbidden, "Service suspended",
                "The platform operator has suspended this service: it cannot send notices. Contact the operator to have it reactivated."));
        }

        if (notice.Urgent && !service.UrgentAllowed)
        {
            return (null, new SubmissionRefusal(RefusalCodes.UrgentNotAllowed, StatusCodes.Status403Forbidden, "Urgent notices not allowed",
                "This service may not mark notices urgent (delivered also inside the citizen's quiet hours). Send it without 'urgent' "
                + "(it is then delivered when the citizen's quiet hours end), or ask the platform operator for the urgent permission "
                + "('urgent_allowed').", Field: "urgent"));
        }

        if (test)
        {
            return (new Admission(service.AllowedChannels, []), null);
        }

        if (service.State == ServiceStates.Sandbox && !service.SandboxRecipients.Contains(fiscalCode))
        {
            return (null, new SubmissionRefusal(RefusalCodes.SandboxRecipient, StatusCodes.Status403Forbidden, "Recipient not allowed in sandbox mode",
                "This service is in sandbox mode: it may send only to the test codici fiscali registered for it. "
                + "To send to anyone, ask the platform operator to take the service live ('notifiche-admin services activate <service-id>'); "
                + "to test with another recipient, ask them to add it to the sandbox recipients.", Field: "fiscal_code"));
        }

        // A default address would be delivered whoever owns it: in sandbox a notice reaches only a test recipient's own profile.
        if (service.State == ServiceStates.Sandbox && notice.DefaultEmail is not null)
        {
            return (null, new SubmissionRefusal(RefusalCodes.SandboxDefaultAddress, StatusCodes.Status403Forbidden,
                "Default address not allowed in sandbox mode",
                "This service is in sandbox mode: its notices reach only the addresses its test recipients set in their own profiles, "
                + "so 'default_addresses.email' is not accepted. Send without it, or ask the platform operator to take the service live "
                + "('notifiche-admin services activate <service-id>').", Field: "default_addresses.email"));
        }

        if (service.DailyNoticeQuota is { } quota && !await CountTodayAsync(service.Id, quota, now, ct))
        {
            var tomorrow = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            return (null, new SubmissionRefusal(RefusalCodes.DailyQuota, StatusCodes.Status429TooManyRequests, "Daily notice quota reached",
                $"This service may send {quota} notices per day (UTC) and has reached that quota; send again after midnight UTC, "
                + "or ask the platform operator for a larger quota.", tomorrow - now));
        }

        // Escalation (issue 17): the channels that cost and that a step names wait for that step; the first delivery goes without
        // them. An escalation step's SMS is reserved at the step's time (EscalationStepRunner), only if it runs.
        var withheld = Escalation.Withheld(notice.Escalation).Where(service.AllowedChannels.Contains).ToList();
        IReadOnlyList<(string Channel, string Reason)> escalated = [.. withheld.Select(c => (c, OmissionReasons.EscalationStep))];
        IReadOnlyList<string> channels = withheld.Count == 0 ? service.AllowedChannels : [.. service.AllowedChannels.Except(withheld)];
        if (channels.Contains(Channels.Sms) && SmsBudget.SegmentsOf(service, smsBudget.Value) is { } budget)
        {
            // A notice's due-date reminders are notices of their own (issue 17): their SMS is reserved with the notice's.
            var perNotice = smsBudget.Value.SegmentsPerNotice * (1 + (notice.Reminders?.Count ?? 0));
            var reserved = await SmsBudget.ReserveAsync(db, service.Id, budget, perNotice, SmsBudget.MonthOf(now), ct);
            return reserved > 0
                ? (new Admission(channels, escalated, reserved), null)
                : (new Admission([.. channels.Where(c => c != Channels.Sms)], [.. escalated, (Channels.Sms, OmissionReasons.SmsBudgetExhausted)]), null);
        }

        return (new Admission(channels, escalated), null);
    }

    /// <summary>Counts one notice against today's quota; false (and nothing counted) when the quota is already reached.</summary>
    private async Task<bool> CountTodayAsync(string serviceId, int quota, DateTimeOffset now, CancellationToken ct) =>
        await RawSql.ExecuteAsync(db, """
            INSERT INTO daily_usage (service_id, day, notices) VALUES (@service, @day, 1)
            ON CONFLICT (service_id, day) DO UPDATE SET notices = daily_usage.notices + 1 WHERE daily_usage.notices < @quota
            """, new Dictionary<string, object?>
        {
            ["@service"] = serviceId, ["@day"] = DateOnly.FromDateTime(now.UtcDateTime), ["@quota"] = quota,
        }, ct) > 0;
}
