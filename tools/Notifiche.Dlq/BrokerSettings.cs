using System.CommandLine;
using Notifiche.Messaging;
using RabbitMQ.Client;

namespace Notifiche.Dlq;

/// <summary>
/// Where the broker is: each option falls back to a <c>NOTIFICHE_RABBITMQ_*</c> environment variable, then to a local
/// default. The password is best given by environment variable (a command line is visible to other users in ps).
/// </summary>
public sealed record BrokerSettings(string Host, int Port, string VirtualHost, string User, string Password, int ManagementPort)
{
    /// <summary>TLS to the broker (AMQPS), validated as the services validate it (<c>Messaging:RabbitMq:Tls</c>).</summary>
    public RabbitMqTlsOptions Tls { get; init; } = new();

    /// <summary>
    /// HTTPS to the management API, in the same shape: on and with the same CA as <see cref="Tls"/> unless
    /// <c>--management-tls</c>/<c>--management-tls-ca</c> say otherwise (AMQP inside the cluster, the management API
    /// behind an HTTPS listener, or the other way round). The certificate must carry the host's name (HTTPS checks the
    /// name in the URL; <c>--tls-server-name</c> is for AMQP only).
    /// </summary>
    public RabbitMqTlsOptions ManagementTls { get; init; } = new();

    public const string TlsVariable = "NOTIFICHE_RABBITMQ_TLS";
    public const string TlsServerNameVariable = "NOTIFICHE_RABBITMQ_TLS_SERVER_NAME";
    public const string TlsCaVariable = "NOTIFICHE_RABBITMQ_TLS_CA";
    public const string ManagementTlsVariable = "NOTIFICHE_RABBITMQ_MANAGEMENT_TLS";
    public const string ManagementTlsCaVariable = "NOTIFICHE_RABBITMQ_MANAGEMENT_TLS_CA";

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

    public static readonly Option<bool> TlsOption = new("--tls")
    {
        Description = $"Connect with TLS (AMQPS; the management API over HTTPS) [env {TlsVariable}=true; the broker's TLS port is usually 5671]", Recursive = true,
    };

    public static readonly Option<string> TlsServerNameOption = new("--tls-server-name")
    {
        Description = $"The name the broker's certificate must carry [env {TlsServerNameVariable}, default the host]", Recursive = true,
    };

    public static readonly Option<string> TlsCaOption = new("--tls-ca")
    {
        Description = $"PEM file of the CA the broker's certificate must chain to, instead of the system's roots [env {TlsCaVariable}]", Recursive = true,
    };

    public static readonly Option<bool?> ManagementTlsOption = new("--management-tls")
    {
        Description = $"HTTPS to the management API: true or false [env {ManagementTlsVariable}, default as --tls]", Recursive = true,
    };

    public static readonly Option<string> ManagementTlsCaOption = new("--management-tls-ca")
    {
        Description = $"PEM file of the CA the management API's certificate must chain to [env {ManagementTlsCaVariable}, default --tls-ca]",
        Recursive = true,
    };

    public static IEnumerable<Option> Options =>
        [HostOption, PortOption, VirtualHostOption, UserOption, PasswordOption, ManagementPortOption, TlsOption, TlsServerNameOption, TlsCaOption,
            ManagementTlsOption, ManagementTlsCaOption];

    public static BrokerSettings From(ParseResult parse)
    {
        var tls = new RabbitMqTlsOptions
        {
            Enabled = parse.GetValue(TlsOption) || string.Equals(Variable(TlsVariable), "true", StringComparison.OrdinalIgnoreCase),
            ServerName = parse.GetValue(TlsServerNameOption) ?? Variable(TlsServerNameVariable),
            CaCertificatePath = parse.GetValue(TlsCaOption) ?? Variable(TlsCaVariable),
        };
        return new BrokerSettings(
            parse.GetValue(HostOption) ?? Variable(HostVariable) ?? "localhost",
            parse.GetValue(PortOption) ?? Number(PortVariable) ?? 5672,
            parse.GetValue(VirtualHostOption) ?? Variable(VirtualHostVariable) ?? "/",
            parse.GetValue(UserOption) ?? Variable(UserVariable) ?? "guest",
            parse.GetValue(PasswordOption) ?? Variable(PasswordVariable) ?? "guest",
            parse.GetValue(ManagementPortOption) ?? Number(ManagementPortVariable) ?? 15672)
        {
            Tls = tls,
            ManagementTls = new RabbitMqTlsOptions
            {
                Enabled = parse.GetValue(ManagementTlsOption) ?? Flag(ManagementTlsVariable) ?? tls.Enabled,
                CaCertificatePath = parse.GetValue(ManagementTlsCaOption) ?? Variable(ManagementTlsCaVariable) ?? tls.CaCertificatePath,
            },
        };
    }

    /// <summary>The management API's base address: HTTPS unless <see cref="ManagementTls"/> is off.</summary>
    public string ManagementBase => $"{(ManagementTls.Enabled ? "https" : "http")}://{Host}:{ManagementPort}/";

    /// <summary>How the broker is named in messages: never the password.</summary>
    public string Describe() => $"{(Tls.Enabled ? "amqps" : "amqp")}://{User}@{Host}:{Port}, vhost '{VirtualHost}'";

    public ConnectionFactory ConnectionFactory() => new()
    {
        HostName = Host, Port = Port, VirtualHost = VirtualHost, UserName = User, Password = Password,
        ClientProvidedName = "notifiche-dlq",
        Ssl = BrokerTls.SslOption(Tls, Host),
        // An operator's tool: fail fast and say so rather than reconnect behind their back.
        AutomaticRecoveryEnabled = false,
    };

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static bool? Flag(string name) => Variable(name) is { } value
        ? bool.TryParse(value, out var flag) ? flag : throw new DlqException($"{name}='{value}' is neither true nor false.")
        : null;

    private static int? Number(string name) => Variable(name) is { } value
        ? int.TryParse(value, out var number) ? number : throw new DlqException($"{name}='{value}' is not a port number.")
        : null;
}
