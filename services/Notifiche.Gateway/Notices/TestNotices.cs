using Notifiche.Contracts;
using Notifiche.Gateway.Registry;
using Notifiche.Gateway.Status;

namespace Notifiche.Gateway.Notices;

/// <summary>
/// The simulated delivery of a test notice (sent with a <see cref="KeyTypes.Test"/> key): an outbox row like a live
/// notice's <see cref="NoticeSubmitted"/> — due at once or at <c>send_at</c>, durable, re-driven — that the relay hands to
/// <see cref="TestNoticeSimulator"/> in the gateway instead of publishing it. So a test notice's content and codice fiscale
/// never reach the broker: neither routing nor a dispatcher can see it, nothing is delivered, no profile is read.
/// </summary>
/// <param name="Channels">The channels simulated: those the service may use.</param>
/// <param name="Outcome">One of <see cref="SimulatedOutcomes"/>, chosen by <see cref="TestNotices.OutcomeFor"/>.</param>
public sealed record SimulateTestNotice(Guid NoticeId, IReadOnlyList<string> Channels, string Outcome);

/// <summary>What the simulator makes of a test notice's channels.</summary>
public static class SimulatedOutcomes
{
    /// <summary>SENT.</summary>
    public const string Delivered = "delivered";
    /// <summary>One failed attempt (THROTTLED), then SENT.</summary>
    public const string TemporaryFailure = "temporary-failure";
    /// <summary>FAILED at once, as when the provider refuses the address.</summary>
    public const string PermanentFailure = "permanent-failure";
    /// <summary>An attempt that timed out (THROTTLED), then FAILED once retries are exhausted, as when the provider never answers.</summary>
    public const string Timeout = "timeout";
}

/// <summary>
/// The documented simulator addresses: a test notice's <c>default_addresses.email</c> chooses how its delivery ends
/// (any other address, or none, is delivered). They are in the reserved <c>.invalid</c> domain, so even sent with a live
/// key by mistake they cannot reach anyone.
/// </summary>
public static class TestNotices
{
    public const string SimulatorDomain = "simulator.notifiche.invalid";

    public static readonly IReadOnlyDictionary<string, string> Addresses = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [$"delivered@{SimulatorDomain}"] = SimulatedOutcomes.Delivered,
        [$"temporary-failure@{SimulatorDomain}"] = SimulatedOutcomes.TemporaryFailure,
        [$"permanent-failure@{SimulatorDomain}"] = SimulatedOutcomes.PermanentFailure,
        [$"timeout@{SimulatorDomain}"] = SimulatedOutcomes.Timeout,
    };

    /// <summary>The outcome a test notice's default address asks for; <see cref="SimulatedOutcomes.Delivered"/> for any other.</summary>
    public static string OutcomeFor(string? defaultEmail) =>
        defaultEmail is not null && Addresses.TryGetValue(defaultEmail, out var outcome) ? outcome : SimulatedOutcomes.Delivered;

    public static SimulateTestNotice For(Notice notice, ServiceRecord service) =>
        new(notice.Id, [.. service.AllowedChannels], OutcomeFor(notice.DefaultEmail));
}

/// <summary>
/// Plays a test notice's delivery through the same status writer as a live one's events (routing decision, then each
/// channel's attempts and outcome), so status, audit trail and status callbacks behave as they will in production.
/// Safe to repeat (a re-drive, or a relay crash before it deleted the row): statuses only move forward.
/// </summary>
public sealed class TestNoticeSimulator(StatusWriter status, TimeProvider clock)
{
    public const string ProviderMessageIdPrefix = "simulated-";

    public async Task RunAsync(SimulateTestNotice simulation, CancellationToken ct)
    {
        var id = simulation.NoticeId;
        var at = clock.GetUtcNow();
        await status.RoutedAsync(new NoticeRouted
        {
            NoticeId = id, Channels = simulation.Channels, RoutedAt = at, Detail = "test notice: delivery simulated, nothing sent",
        }, ct);

        // Each step a millisecond after the last, so that the audit trail and the callbacks' times keep their order.
        var steps = simulation.Outcome switch
        {
            SimulatedOutcomes.TemporaryFailure => new[]
            {
                (ChannelStatus.Throttled, "attempt 1: simulated temporary failure"), (ChannelStatus.Sent, (string?)null),
            },
            SimulatedOutcomes.PermanentFailure => [(ChannelStatus.Failed, "simulated permanent failure: the provider refused the address")],
            SimulatedOutcomes.Timeout =>
            [
                (ChannelStatus.Throttled, "attempt 1: simulated provider timeout"),
                (ChannelStatus.Failed, "retries exhausted: simulated provider timeout"),
            ],
            _ => [(ChannelStatus.Sent, null)],
        };

        foreach (var (step, (outcome, reason)) in steps.Index())
        {
            var stepAt = at.AddMilliseconds(step + 1);
            await Task.WhenAll(simulation.Channels.Select(channel => status.ChannelAsync(new ChannelOutcome(id, channel, outcome, stepAt, reason,
                ProviderMessageId: outcome == ChannelStatus.Sent ? $"{ProviderMessageIdPrefix}{id:N}" : null), ct)));
        }
    }
}
