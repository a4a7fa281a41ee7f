namespace Notifiche.Testing;

/// <summary>
/// Where the real servers started by <c>./build.sh test</c> listen (environment variables it exports).
/// Missing variables fail the test loudly: real-infrastructure tests never silently skip.
/// </summary>
public static class TestEnvironment
{
    public static string RabbitMqHost => Required("NOTIFICHE_TEST_RABBITMQ_HOST");
    public static ushort RabbitMqPort => ushort.Parse(Required("NOTIFICHE_TEST_RABBITMQ_PORT"));
    public static int RabbitMqManagementPort => int.Parse(Required("NOTIFICHE_TEST_RABBITMQ_MANAGEMENT_PORT"));
    public static string RabbitMqUser => Environment.GetEnvironmentVariable("NOTIFICHE_TEST_RABBITMQ_USER") ?? "guest";
    public static string RabbitMqPassword => Environment.GetEnvironmentVariable("NOTIFICHE_TEST_RABBITMQ_PASSWORD") ?? "guest";
    public static string PostgresAdmin => Required("NOTIFICHE_TEST_POSTGRES");
    public static string SmtpdPython => Environment.GetEnvironmentVariable("NOTIFICHE_TEST_SMTPD_PYTHON") ?? "/usr/bin/python3";

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set: these tests need the RabbitMQ and PostgreSQL that './build.sh test' starts "
                + "(or run './build.sh infra' in another terminal and export the variables it prints).");
}
