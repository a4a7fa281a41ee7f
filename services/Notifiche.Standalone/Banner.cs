namespace Notifiche.Standalone;

/// <summary>
/// What a newcomer needs once the embedded platform is up: where it listens (the API, and the management port with the
/// admin API), the demo key, where emails land.
/// </summary>
public static class Banner
{
    public static void Print(ICollection<string> urls, int managementPort, string dataDirectory, string demoKey, StandaloneKeys keys)
    {
        var url = urls.FirstOrDefault(u => new Uri(u).Port != managementPort) ?? "http://localhost:5080";
        var management = urls.FirstOrDefault(u => new Uri(u).Port == managementPort) ?? $"http://localhost:{managementPort}";
        Console.WriteLine($"""

            Notifiche standalone is running on {url}
              demo service : {DemoService.Id} (Comune di Esempio)
              demo API key : {demoKey}
                             (saved in {Path.Combine(dataDirectory, "demo-api-key.txt")})
              app backend key (profiles and inbox APIs): {keys.AppBackendKey}
                             (saved in {Path.Combine(dataDirectory, StandaloneKeys.AppBackendKeyFile)})
              management   : {management} (admin API, /health/*, /metrics; not on {url})
              operator key (admin API, notifiche-admin): {keys.OperatorKey}
                             (saved in {Path.Combine(dataDirectory, StandaloneKeys.OperatorKeyFile)})
              emails       : written as .eml files to {Path.Combine(dataDirectory, "mail")}
              SMS, push, Telegram: recorded (not sent) in {Path.Combine(dataDirectory, "sms")}, {Path.Combine(dataDirectory, "push")}
                             and {Path.Combine(dataDirectory, "telegram")}
              API document : {url}/openapi/v1.json
            Send a notice with the curl command in README.md; press Ctrl+C to stop.

            """);
    }
}
