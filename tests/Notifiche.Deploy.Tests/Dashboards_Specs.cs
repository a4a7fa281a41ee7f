using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Notifiche.Deploy.Tests;

public class Watching_the_platform_in_prometheus_and_grafana
{
    private static readonly ComposeFile Compose = ComposeFile.Load();

    [Test]
    public void Should_scrape_the_metrics_endpoint_of_every_notifiche_service_in_compose_on_its_management_port()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Repository.Path("deploy", "prometheus", "prometheus.yml"))));
        var job = ((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["scrape_configs"]).Children.Cast<YamlMappingNode>()
            .Single(j => j["job_name"].ToString() == "notifiche");
        var targets = ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)job["static_configs"]).Children[0])["targets"]).Children
            .Select(t => t.ToString()).ToList();

        Assert.That(job["metrics_path"].ToString(), Is.EqualTo("/metrics"));
        Assert.That(targets, Is.EquivalentTo(Compose.BuiltProjects().Keys.Where(k => k != "standalone").Select(k => $"{k}:{Notifiche.ServiceDefaults.ManagementPort.DefaultPort}")));
    }

    private static readonly JsonElement Dashboard =
        JsonDocument.Parse(File.ReadAllText(Repository.Path("deploy", "grafana", "dashboards", "notifiche.json"))).RootElement;

    private static List<string> Expressions() =>
        Dashboard.GetProperty("panels").EnumerateArray().SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!).ToList();

    /// <summary>Issue 19: every metric a panel reads exists: an instrument of the code, ASP.NET Core's, RabbitMQ's or Prometheus's own.</summary>
    [Test]
    public void Should_chart_only_metrics_the_services_or_rabbitmq_expose()
    {
        var known = ExposedMetrics.Notifiche().Concat(ExposedMetrics.AspNetCore).Append("up").ToHashSet();
        var used = Expressions().SelectMany(ExposedMetrics.In).ToHashSet();

        Assert.That(used, Does.Contain("notifiche_dispatches_total").And.Contains("http_server_request_duration_seconds_count"), "metrics were parsed");
        Assert.That(used.Where(m => !m.StartsWith("rabbitmq_detailed_queue_", StringComparison.Ordinal)).Except(known), Is.Empty);
        Assert.That(Expressions(), Has.Some.Contains("notifiche.dead-letters"), "dead letters are charted");
    }

    /// <summary>Issue 17: a channel added to the platform (Telegram) can be picked in the dashboard's channel filter.</summary>
    [Test]
    public void Should_offer_every_channel_of_the_platform_in_the_channel_filter()
    {
        var channel = Dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "channel");

        Assert.That(channel.GetProperty("query").GetString()!.Split(','), Is.EquivalentTo(Notifiche.Contracts.Channels.All));
        Assert.That(channel.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("value").GetString()), Is.EquivalentTo(Notifiche.Contracts.Channels.All));
    }

    [Test]
    public void Should_chart_what_the_sre_on_call_looks_at()
    {
        var expressions = Expressions();
        var used = expressions.SelectMany(ExposedMetrics.In).ToHashSet();

        Assert.Multiple(() =>
        {
            // RED of the HTTP servers: rate, errors, duration.
            Assert.That(expressions, Has.Some.Matches<string>(e => e.Contains("rate(http_server_request_duration_seconds_count") && !e.Contains("5..")), "request rate");
            Assert.That(expressions, Has.Some.Contains("http_response_status_code=~\"5..\""), "errors");
            Assert.That(expressions, Has.Some.Contains("histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket"), "duration");
            Assert.That(expressions, Has.Some.Contains("http_response_status_code=\"429\""), "429s");
            Assert.That(used, Is.SupersetOf(new[]
            {
                "notifiche_notices_refused_total", "notifiche_callbacks_failed_total", "notifiche_dispatch_attempts_failed_total", "notifiche_kill_switch_open", "notifiche_kill_switch_trips_total",
            }));
        });
    }

    [Test]
    public void Should_define_every_template_variable_the_panels_use()
    {
        var defined = Dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()!).ToHashSet();
        var used = Expressions().SelectMany(e => Regex.Matches(e, "\\$(\\w+)").Select(m => m.Groups[1].Value)).ToHashSet();

        Assert.That(defined, Is.SupersetOf(new[] { "instance", "service", "channel" }));
        Assert.That(used, Is.EquivalentTo(defined), "every variable used, every use defined");
    }
}
