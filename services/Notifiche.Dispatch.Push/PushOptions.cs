using System.ComponentModel.DataAnnotations;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;

namespace Notifiche.Dispatch.Push;

public enum PushProvider
{
    /// <summary>Firebase Cloud Messaging HTTP v1.</summary>
    Fcm,
    /// <summary>Records each push as a JSON line in a file instead of sending it (embedded default, demos, tests).</summary>
    Sandbox,
}

/// <summary>Bound from the <c>Push</c> configuration section.</summary>
public sealed class PushOptions
{
    public const string Section = "Push";

    public PushProvider Provider { get; set; } = PushProvider.Fcm;

    /// <summary>
    /// Body of an anonymous push (the service chose not to show subjects on lock screens), per language;
    /// configuration adds or replaces entries, and an unknown language gets <c>it</c>.
    /// </summary>
    public Dictionary<string, string> AnonymousBody { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["it"] = "Hai un nuovo avviso",
        ["en"] = "You have a new notice",
        ["de"] = "Sie haben eine neue Mitteilung",
    };

    /// <summary>Where the sandbox provider appends <c>push.jsonl</c>.</summary>
    public string SandboxDirectory { get; set; } = "notifiche-data/push";

    [Required]
    public FcmOptions Fcm { get; set; } = new();

    [Required]
    public HttpResilienceSettings Resilience { get; set; } = new();

    [Required]
    public KillSwitchSettings KillSwitch { get; set; } = new();
}

public sealed class FcmOptions
{
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    [Required]
    public Uri BaseAddress { get; set; } = new("https://fcm.googleapis.com");

    /// <summary>The Firebase project id (<c>/v1/projects/{ProjectId}/messages:send</c>).</summary>
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>
    /// Service-account JSON key file. Its <c>token_uri</c> is where OAuth2 tokens come from (tests point it at a stub);
    /// tokens are cached and refreshed by Google.Apis.Auth.
    /// </summary>
    public string CredentialsFile { get; set; } = string.Empty;
}
