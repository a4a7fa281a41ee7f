namespace Notifiche.ServiceDefaults;

/// <summary>
/// <c>dotnet Notifiche.X.dll --healthcheck [path]</c>: asks the service running in the same container for
/// <c>/health/ready</c> (or <c>path</c>) on its management port and exits 0 when it answers 2xx, 1 otherwise. The service
/// images carry no curl or wget (deploy/Dockerfile); this is what compose's healthchecks run.
/// </summary>
public static class HealthProbe
{
    public const string Switch = "--healthcheck";

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Switch;

    /// <summary>
    /// The service's own management port on loopback: <c>Management__Port</c> from the environment, else
    /// <see cref="ManagementPort.DefaultPort"/> (the health endpoints answer nowhere else).
    /// </summary>
    public static Uri Target(string[] args, Func<string, string?> environment)
    {
        var port = environment("Management__Port") is { Length: > 0 } configured ? configured.Trim() : ManagementPort.DefaultPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var path = args.Length > 1 && args[1].StartsWith('/') ? args[1] : ServiceDefaultsExtensions.ReadyPath;
        return new Uri($"http://127.0.0.1:{port}{path}");
    }

    public static async Task<int> RunAsync(string[] args) => await ProbeAsync(Target(args, Environment.GetEnvironmentVariable)) ? 0 : 1;

    public static async Task<bool> ProbeAsync(Uri target, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(target);
            Console.WriteLine($"{target.AbsolutePath}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.WriteLine($"{target.AbsolutePath}: {e.GetType().Name}");
            return false;
        }
    }
}
