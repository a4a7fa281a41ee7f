using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using NodaTime;
using NodaTime.Text;
using Notifiche.Contracts;

namespace Notifiche.Gateway.Notices;

/// <summary>One step of <c>escalation</c> as a service sends it (snake_case JSON).</summary>
public sealed record EscalationStepRequest
{
    [Required]
    [Description("ISO-8601 duration after the notice's delivery time (send_at, else its acceptance) at which the step runs, e.g. PT48H or P5D; "
        + "later than the step before, and before the notice's time to live ends.")]
    public string? After { get; init; }

    [Required, MinLength(1)]
    [Description("The channels of the step: email, sms, push or telegram, each one the service may use (registry permissions).")]
    public IReadOnlyList<string?>? Channels { get; init; }
}

/// <summary>
/// A step that passed validation, as the sender wrote it (what the idempotency hash covers: a retry hashes alike), and its
/// duration, which places it from the notice's delivery (<see cref="At"/>).
/// </summary>
public sealed record ScheduledEscalationStep(string After, IReadOnlyList<string> Channels)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public Period Offset { get; init; } = Period.Zero;

    /// <summary>When the step runs for a notice delivered from <paramref name="start"/>.</summary>
    public DateTimeOffset At(DateTimeOffset start) => Escalation.At(start, Offset);
}

/// <summary>What became of an escalation step (<c>escalation[].outcome</c> in the notice's status).</summary>
public static class EscalationOutcomes
{
    /// <summary>Its time has not come yet.</summary>
    public const string Pending = "PENDING";
    /// <summary>The notice was unread at the step's time: the step was routed to its channels (its own status tells what was sent).</summary>
    public const string Done = "DONE";
    /// <summary>The citizen had read the notice in the inbox before the step's time: nothing sent.</summary>
    public const string SkippedRead = "SKIPPED_READ";
    /// <summary>The step's only channel left was SMS and the service's monthly SMS budget refused it: nothing sent.</summary>
    public const string SkippedSmsBudget = "SKIPPED_SMS_BUDGET";
    /// <summary>Cancelled before its time: the service resolved the notice, or routing rejected it.</summary>
    public const string Cancelled = "CANCELLED";
}

/// <summary>
/// Escalation when unread (issue 17, point 5): <c>escalation: [{"after": "PT48H", "channels": ["email"]}, {"after": "P5D",
/// "channels": ["sms"]}]</c>. The notice's first delivery leaves out the channels that cost (email, SMS) named by a step —
/// push and Telegram still go first —, and each step is a notice row of its own (<see cref="Notice.EscalationOf"/>) whose
/// routing waits in the outbox until its time; then <see cref="EscalationStepRunner"/> routes it to the step's channels
/// only if the citizen has not read the notice in the inbox by then, and only for the SMS the monthly budget still allows.
/// </summary>
public static class Escalation
{
    /// <summary>At most this many steps: a cheaper channel, then a dearer one, then one last; more is no longer a courtesy.</summary>
    public const int Max = 3;

    /// <summary>Channels that cost nothing per notice: they stay in the first delivery even when a step names them again.</summary>
    public static readonly IReadOnlyList<string> Free = [Channels.Push, Channels.Telegram];

    private static readonly PeriodPattern Pattern = PeriodPattern.NormalizingIso;

    /// <summary>The channels the first delivery leaves to the steps: those a step names that are not free.</summary>
    public static IReadOnlyList<string> Withheld(IReadOnlyList<ScheduledEscalationStep>? steps) =>
        steps is null ? [] : [.. steps.SelectMany(s => s.Channels).Where(c => !Free.Contains(c)).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>When a step <paramref name="after"/> <paramref name="start"/> runs (calendar units on the UTC calendar).</summary>
    public static DateTimeOffset At(DateTimeOffset start, Period after) =>
        (LocalDateTime.FromDateTime(start.UtcDateTime) + after).InUtc().ToDateTimeOffset();

    /// <summary>
    /// Checks the steps of a notice delivered from <paramref name="start"/> with time to live <paramref name="ttlSeconds"/>;
    /// problems go to <paramref name="add"/> under <c>escalation</c>, <c>escalation[i]</c>, <c>escalation[i].after</c> or
    /// <c>escalation[i].channels</c>. <paramref name="serviceChannels"/>: the channels the service may use (null: not known
    /// here, checked by the caller that knows the service).
    /// </summary>
    public static IReadOnlyList<ScheduledEscalationStep>? Validate(IReadOnlyList<EscalationStepRequest?>? steps, DateTimeOffset start, int ttlSeconds,
        IReadOnlyCollection<string>? serviceChannels, Action<string, string> add)
    {
        if (steps is null || steps.Count == 0)
        {
            return null;
        }

        if (steps.Count > Max)
        {
            add("escalation", $"must have at most {Max} steps, got {steps.Count}");
            return null;
        }

        var expires = start.AddSeconds(ttlSeconds);
        var valid = new List<ScheduledEscalationStep>();
        DateTimeOffset? previous = null;
        for (var i = 0; i < steps.Count; i++)
        {
            var field = $"escalation[{i}]";
            if (steps[i] is not { } step)
            {
                add(field, "must be an object with after and channels");
                continue;
            }

            var at = CheckAfter($"{field}.after", step.After, start, expires, previous, i, add);
            previous = at ?? previous;
            var channels = CheckChannels($"{field}.channels", step.Channels, serviceChannels, add);
            if (at is not null && channels is not null)
            {
                valid.Add(new ScheduledEscalationStep(step.After!.Trim(), channels) { Offset = Pattern.Parse(step.After!.Trim()).Value });
            }
        }

        return valid;
    }

    private static DateTimeOffset? CheckAfter(string field, string? text, DateTimeOffset start, DateTimeOffset expires, DateTimeOffset? previous, int index,
        Action<string, string> add)
    {
        var parsed = text is null ? null : Pattern.Parse(text.Trim());
        if (parsed is null || !parsed.Success)
        {
            add(field, "must be an ISO-8601 duration after the notice's delivery, e.g. PT48H or P5D");
            return null;
        }

        var at = At(start, parsed.Value);
        if (at <= start)
        {
            add(field, "must be a positive duration: a step runs after the first delivery");
            return null;
        }

        if (at >= expires)
        {
            add(field, $"falls at {at:yyyy-MM-ddTHH:mm:ssZ}, when the notice's time to live has ended ({expires:yyyy-MM-ddTHH:mm:ssZ}): "
                + "a step must run before it (or give the notice a longer time_to_live)");
            return null;
        }

        if (previous is { } before && at <= before)
        {
            add(field, $"must be later than escalation[{index - 1}].after: steps run in increasing order");
            return null;
        }

        return at;
    }

    private static IReadOnlyList<string>? CheckChannels(string field, IReadOnlyList<string?>? channels, IReadOnlyCollection<string>? serviceChannels,
        Action<string, string> add)
    {
        if (channels is null || channels.Count == 0)
        {
            add(field, "must name at least one channel");
            return null;
        }

        var names = channels.Select(c => c?.Trim().ToLowerInvariant()).ToList();
        var unknown = names.FindIndex(c => c is null || !Channels.All.Contains(c));
        if (unknown >= 0)
        {
            add(field, $"'{channels[unknown]}' is not a channel: use {string.Join(", ", Channels.All)}");
            return null;
        }

        if (names.Distinct().Count() != names.Count)
        {
            add(field, "names a channel twice");
            return null;
        }

        if (serviceChannels is not null && names.FirstOrDefault(c => !serviceChannels.Contains(c!)) is { } refused)
        {
            add(field, $"your service may not use {refused} (registry permissions: {string.Join(", ", serviceChannels)})");
            return null;
        }

        return [.. names.Select(c => c!)];
    }
}
