using System.Text.Json;

namespace Notifiche.Deploy.Tests;

/// <summary>
/// Issue 15: EF Core logs every command at Information ("Executed DbCommand …"); with the JSON console logger that is a
/// formatted line per database round trip of every notice — CPU on the hot path and noise in the SRE's logs. Every
/// service ships with EF Core at Warning (an operator can still lower it).
/// </summary>
public class Logging_on_the_hot_path
{
    [TestCaseSource(typeof(NotificheService), nameof(NotificheService.All))]
    public void Should_keep_ef_cores_per_command_logs_out_of_the_default_output(NotificheService service)
    {
        using var settings = JsonDocument.Parse(Repository.Read("services", service.Project, "appsettings.json"));
        var levels = settings.RootElement.GetProperty("Logging").GetProperty("LogLevel");

        Assert.That(levels.TryGetProperty("Microsoft.EntityFrameworkCore", out var ef) ? ef.GetString() : null, Is.EqualTo("Warning"), service.Project);
    }
}
