using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Gateway.Observability;
using Notifiche.Messaging;

namespace Notifiche.Deploy.Tests;

/// <summary>
/// The metrics the services expose, as Prometheus names them, for the specs that check what the alert rules and the
/// dashboard read: every instrument of the Notifiche meter (found by creating its owners under a listener), and the
/// library metrics the files use.
/// </summary>
public static class ExposedMetrics
{
    private static readonly HashSet<string> PromQlWords = ["and", "or", "unless", "bool", "offset", "le", "inf", "nan"];

    /// <summary>ASP.NET Core's http.server.request.duration (unit s, a histogram), which OpenTelemetry exports from every service.</summary>
    public static readonly IReadOnlySet<string> AspNetCore = new HashSet<string>
    {
        "http_server_request_duration_seconds_bucket", "http_server_request_duration_seconds_count", "http_server_request_duration_seconds_sum",
    };

    /// <summary>The metric names of a PromQL expression: identifiers that are no function, label, keyword or range.</summary>
    public static IEnumerable<string> In(string expr)
    {
        var bare = Regex.Replace(expr, "\"[^\"]*\"|\\{[^}]*\\}|\\[[^\\]]*\\]|\\b(by|on|without|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        return Regex.Matches(bare, "(?<![\\w.$])((?>[a-zA-Z_:][a-zA-Z0-9_:]*))(?!\\s*\\()")
            .Select(m => m.Groups[1].Value)
            .Where(w => !PromQlWords.Contains(w.ToLowerInvariant()))
            .Distinct();
    }

    /// <summary>The Notifiche meter's instruments as the Prometheus exporter names them (dots to '_', unit 's' to _seconds, counters _total).</summary>
    public static HashSet<string> Notifiche()
    {
        var names = new HashSet<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name != GatewayMetrics.MeterName)
            {
                return;
            }

            var name = instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : "");
            var type = instrument.GetType().GetGenericTypeDefinition();
            names.UnionWith(
                type == typeof(Counter<>) ? [name + "_total"]
                : type == typeof(Histogram<>) ? [name + "_bucket", name + "_count", name + "_sum"]
                : [name]);
        };
        listener.Start();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        _ = new GatewayMetrics(meters);
        _ = new KillSwitchGauge(meters);
        _ = new Notifiche.Preferences.Observability.DeferredDispatchMetrics(meters);
        _ = new Notifiche.Preferences.Observability.HeldNoticeMetrics(meters);
        return names;
    }
}
