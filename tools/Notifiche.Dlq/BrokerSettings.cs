using System.CommandLine;
using RabbitMQ.Client;

namespace Notifiche.Dlq;

/// <summary>
/// Where the broker is: each option falls back to a <c>NOTIFICHE_RABBITMQ_*</c> environment variable, then to a local
/// default. The password is best given by environment variable (a command line is visible to other users in ps).
/// </summary>
public sealed record BrokerSettings(string Host, int Port, string VirtualHost, string User, string Password, int ManagementPort)
{
    public const string HostVariable = "NOTIFICHE_RABBITMQ_HOST";
    public const string PortVariable = "NOTIFICHE_RABBITMQ_PORT";
    public const string VirtualHostVariable = "NOTIFICHE_RABBITMQ_VHOST";
    public const string UserVariable = "NOTIFICHE_RABBITMQ_USER";
    public const string PasswordVariable = "NOTIFICHE_RABBITMQ_PASSWORD";
    public const string ManagementPortVariable = "NOTIFICHE_RABBITMQ_MANAGEMENT_PORT";

    public static readonly Option<string> HostOption = new("--host")
    {
        Description = $"RabbitMQ host [env {HostVariable}, default localhost]", Recursive = true,
    };

    public static readonly Option<int?> PortOption = new("--port")
    {
        Description = $"AMQP port [env {PortVariable}, default 5672]", Recursive = true,
    };

    public static readonly Option<string> VirtualHostOption = new("--vhost")
    {
        Description = $"Virtual host [env {VirtualHostVariable}, default /]", Recursive = true,
    };

    public static readonly Option<string> UserOption = new("--user")
    {
        Description = $"User name [env {UserVariable}, default guest]", Recursive = true,
    };

    public static readonly Option<string> PasswordOption = new("--password")
    {
        Description = $"Password [env {PasswordVariable}, default guest; prefer the variable: a command line is visible in ps]", Recursive = true,
    };

    public static readonly Option<int?> ManagementPortOption = new("--management-port")
    {
        Description = $"Port of the RabbitMQ management HTTP API, used to find the dead-letter queues [env {ManagementPortVariable}, default 15672]",
        Recursive = true,
    };

    public static IEnumerable<Option> Options => [HostOption, PortOption, VirtualHostOption, UserOption, PasswordOption, ManagementPortOption];

    public static BrokerSettings From(ParseResult parse) => new(
        parse.GetValue(HostOption) ?? Variable(HostVariable) ?? "localhost",
        parse.GetValue(PortOption) ?? Number(PortVariable) ?? 5672,
        parse.GetValue(VirtualHostOption) ?? Variable(VirtualHostVariable) ?? "/",
        parse.GetValue(UserOption) ?? Variable(UserVariable) ?? "guest",
        parse.GetValue(PasswordOption) ?? Variable(PasswordVariable) ?? "guest",
        parse.GetValue(ManagementPortOption) ?? Number(ManagementPortVariable) ?? 15672);

    /// <summary>How the broker is named in messages: never the password.</summary>
    public string Describe() => $"amqp://{User}@{Host}:{Port}, vhost '{VirtualHost}'";

    public ConnectionFactory ConnectionFactory() => new()
    {
        HostName = Host, Port = Port, VirtualHost = VirtualHost, UserName = User, Password = Password,
        ClientProvidedName = "notifiche-dlq",
        // An operator's tool: fail fast and say so rather than reconnect behind their back.
        AutomaticRecoveryEnabled = false,
    };

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static int? Number(string name) => Variable(name) is { } value
        ? int.TryParse(value, out var number) ? number : throw new DlqException($"{name}='{value}' is not a port number.")
        : null;
}
