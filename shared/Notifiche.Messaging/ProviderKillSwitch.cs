using System.ComponentModel.DataAnnotations;
using MassTransit;

namespace Notifiche.Messaging;

/// <summary>
/// MassTransit's kill switch on the dispatcher's endpoint: when too many commands fail with a transient (provider)
/// failure, the endpoint stops consuming for <see cref="RestartTimeout"/>, so commands wait in the queue.
/// </summary>
public sealed class KillSwitchSettings
{
    /// <summary>Commands consumed in a tracking period before the switch may trip.</summary>
    [Range(1, 10_000)]
    public int ActivationThreshold { get; set; } = 10;

    /// <summary>Percentage of failed commands that trips the switch.</summary>
    [Range(1, 100)]
    public int TripThresholdPercent { get; set; } = 15;

    public TimeSpan TrackingPeriod { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan RestartTimeout { get; set; } = TimeSpan.FromMinutes(1);
}

public static class ProviderKillSwitch
{
    /// <summary>
    /// Stops the endpoint when too many commands fail transiently (the provider is down), so commands wait in the queue,
    /// and restarts it after <see cref="KillSwitchSettings.RestartTimeout"/>. Permanent failures (a bad address) never trip it.
    /// </summary>
    public static void UseProviderKillSwitch(this IReceiveEndpointConfigurator endpoint, KillSwitchSettings settings) =>
        endpoint.UseKillSwitch(k => k
            .SetActivationThreshold(settings.ActivationThreshold)
            .SetTripThreshold(settings.TripThresholdPercent)
            .SetTrackingPeriod(settings.TrackingPeriod)
            .SetRestartTimeout(settings.RestartTimeout)
            .SetExceptionFilter(f => f.Handle<TransientFailureException>()));
}
