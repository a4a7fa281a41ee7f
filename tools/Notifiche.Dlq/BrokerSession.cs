using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Notifiche.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Notifiche.Dlq;

/// <summary>One AMQP connection to the broker, with the few operations the verbs need.</summary>
public sealed class BrokerSession : IAsyncDisposable
{
    private readonly BrokerSettings _settings;
    private readonly IConnection _connection;

    private BrokerSession(BrokerSettings settings, IConnection connection)
    {
        _settings = settings;
        _connection = connection;
    }

    public static async Task<BrokerSession> OpenAsync(BrokerSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            return new BrokerSession(settings, await settings.ConnectionFactory().CreateConnectionAsync(cancellationToken));
        }
        catch (BrokerUnreachableException e)
        {
            throw new DlqException($"Cannot connect to RabbitMQ at {settings.Describe()}: {Innermost(e).Message}. "
                + $"Check --host/--port/--vhost/--user/--password (or {BrokerSettings.HostVariable}, {BrokerSettings.PortVariable}, "
                + $"{BrokerSettings.VirtualHostVariable}, {BrokerSettings.UserVariable}, {BrokerSettings.PasswordVariable}).");
        }
    }

    /// <summary>Messages ready in a queue, or null when it does not exist (a failed passive declare closes its channel, so it gets its own).</summary>
    public async Task<uint?> MessageCountAsync(string queue, CancellationToken cancellationToken)
    {
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>A channel to read a dead-letter queue with manual acknowledgement.</summary>
    public Task<IChannel> ReadingChannelAsync(CancellationToken cancellationToken) =>
        _connection.CreateChannelAsync(cancellationToken: cancellationToken);

    /// <summary>A channel whose publishes return only once the broker has confirmed them (and throw when it refused or returned them).</summary>
    public Task<IChannel> ConfirmingChannelAsync(CancellationToken cancellationToken) =>
        _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);

    /// <summary>
    /// The dead-letter queues of the vhost (names ending in _error or _skipped, and the broker's dead-letter queue), from
    /// the management HTTP API: AMQP cannot list queues.
    /// </summary>
    public async Task<IReadOnlyList<string>> DeadLetterQueuesAsync(CancellationToken cancellationToken)
    {
        using var handler = new HttpClientHandler();
        if (_settings.ManagementTls.Enabled && BrokerTls.Validation(_settings.ManagementTls) is { } validate)
        {
            handler.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => validate(request, certificate, chain, errors);
        }

        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_settings.User}:{_settings.Password}")));
        var url = $"{_settings.ManagementBase}api/queues/{Uri.EscapeDataString(_settings.VirtualHost)}?columns=name";
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(url, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new DlqException($"Cannot reach the RabbitMQ management API at {_settings.ManagementBase} ({e.Message}): "
                + $"it lists the queues. Pass --management-port (or {BrokerSettings.ManagementPortVariable}) and make sure the rabbitmq_management "
                + "plugin is enabled; over HTTPS (--management-tls) its certificate must chain to the system's roots or to --management-tls-ca "
                + "and carry the host's name. 'list --queue <name>', 'show' and 'replay' need only AMQP.");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new DlqException($"The RabbitMQ management API answered {(int)response.StatusCode} {response.ReasonPhrase} for vhost "
                    + $"'{_settings.VirtualHost}': check the vhost and that user '{_settings.User}' may use the management API (tag 'monitoring' or higher).");
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return json.RootElement.EnumerateArray()
                .Select(q => q.GetProperty("name").GetString()!)
                .Where(DeadLetterQueues.IsDeadLetterQueue)
                .Order(StringComparer.Ordinal)
                .ToList();
        }
    }

    /// <summary>The error for a queue that does not exist, naming the dead-letter queues that do (when the management API can tell).</summary>
    public async Task<DlqException> QueueNotFoundAsync(string queue, CancellationToken cancellationToken)
    {
        string existing;
        try
        {
            var queues = await DeadLetterQueuesAsync(cancellationToken);
            existing = queues.Count == 0 ? "There are no dead-letter queues in this vhost." : $"Dead-letter queues here: {string.Join(", ", queues)}.";
        }
        catch (DlqException)
        {
            existing = "Run 'notifiche-dlq list' to see the dead-letter queues.";
        }

        return new DlqException($"Queue '{queue}' not found in vhost '{_settings.VirtualHost}'. {existing}");
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.CloseAsync();
        _connection.Dispose();
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner && e is not SocketException)
        {
            e = inner;
        }

        return e;
    }
}
