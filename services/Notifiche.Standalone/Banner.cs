namespace Notifiche.Standalone;

/// <summary>What a newcomer needs once the embedded platform is up: where it listens, the demo key, where emails land.</summary>
public static class Banner
{
    public static void Print(ICollection<string> urls, string dataDirectory, string demoKey, StandaloneKeys keys)
    {
        var url = urls.FirstOrDefault() ?? "http://localhost:5080";
        Console.WriteLine($"""

            Notifiche standalone is running on {url}
              demo service : {DemoService.Id} (Comune di Esempio)
              demo API key : {demoKey}
                             (saved in {Path.Combine(dataDirectory, "demo-api-key.txt")})
              app backend key (profiles and inbox APIs): {keys.AppBackendKey}
                             (saved in {Path.Combine(dataDirectory, StandaloneKeys.AppBackendKeyFile)})
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
