using System.ComponentModel.DataAnnotations;

namespace Notifiche.Client;

/// <summary>Where the API is and with which key (sent in <c>X-Api-Key</c>), and how calls are retried.</summary>
public class NotificheConnectionOptions
{
    /// <summary>The gateway's address, e.g. <c>https://notifiche.example.gov.it/</c>.</summary>
    [Required]
    public Uri? BaseAddress { get; set; }

    [Required]
    public string? ApiKey { get; set; }

    public NotificheRetryOptions Retry { get; set; } = new();
}

/// <summary>A PA service's connection: notices and its status callback, with the service's API key.</summary>
public sealed class NotificheClientOptions : NotificheConnectionOptions;

/// <summary>
/// The citizen app backend's connection: the inbox (the gateway) and profiles (the preferences service), with the app
/// backend key. Behind one ingress, or on the standalone host, both are at <see cref="NotificheConnectionOptions.BaseAddress"/>.
/// </summary>
public sealed class NotificheAppBackendClientOptions : NotificheConnectionOptions
{
    /// <summary>The preferences service's address, when profiles are not served at <see cref="NotificheConnectionOptions.BaseAddress"/>.</summary>
    public Uri? ProfilesAddress { get; set; }
}

/// <summary>
/// Retries of a call the platform did not process: 429 and 503 (waiting what <c>Retry-After</c> says, when it says), and
/// a connection that could not be made. Exponential back-off with jitter otherwise.
/// </summary>
public sealed class NotificheRetryOptions
{
    /// <summary>0 turns retries off.</summary>
    [Range(0, 20)]
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The first back-off delay when the answer has no <c>Retry-After</c>.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);
}
