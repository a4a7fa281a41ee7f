using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Notifiche.Deploy.Tests;

public class Watching_the_platform_in_prometheus_and_grafana
{
    private static readonly ComposeFile Compose = ComposeFile.Load();

    [Test]
    public void Should_scrape_the_metrics_endpoint_of_every_notifiche_service_in_compose()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Repository.Path("deploy", "prometheus", "prometheus.yml"))));
        var job = ((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["scrape_configs"]).Children.Cast<YamlMappingNode>()
            .Single(j => j["job_name"].ToString() == "notifiche");
        var targets = ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)job["static_configs"]).Children[0])["targets"]).Children
            .Select(t => t.ToString()).ToList();

        Assert.That(job["metrics_path"].ToString(), Is.EqualTo("/metrics"));
        Assert.That(targets, Is.EquivalentTo(Compose.BuiltProjects().Keys.Where(k => k != "standalone").Select(k => $"{k}:8080")));
    }

    [Test]
    public void Should_chart_only_metrics_the_services_or_rabbitmq_expose()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Repository.Path("deploy", "grafana", "dashboards", "notifiche.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        var metricsSource = File.ReadAllText(Repository.Path("services", "Notifiche.Gateway", "Observability", "GatewayMetrics.cs"));
        // Instrument names as the Prometheus exporter writes them: dots to underscores, counters _total, seconds suffixed.
        var exposed = Regex.Matches(metricsSource, "\"(notifiche\\.[a-z_.]+)\"[^;]*?, \"(\\{[^\"]*\\}|s)\"")
            .Select(m => m.Groups[1].Value.Replace('.', '_') + (m.Groups[2].Value == "s" ? "_seconds" : string.Empty))
            .ToList();

        Assert.That(expressions, Is.Not.Empty);
        foreach (var metric in expressions.SelectMany(e => Regex.Matches(e, "\\b(notifiche_[a-z_]+)").Select(m => m.Groups[1].Value)))
        {
            Assert.That(exposed.Any(name => metric == name || metric.StartsWith(name + "_", StringComparison.Ordinal)), Is.True, metric);
        }

        Assert.That(expressions, Has.Some.Contains("notifiche.dead-letters"), "dead letters are charted");
    }
}
