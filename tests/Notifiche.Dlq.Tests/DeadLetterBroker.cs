using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Notifiche.Dlq;
using Notifiche.Messaging;
using Notifiche.Testing;
using RabbitMQ.Client;

namespace Notifiche.Dlq.Tests;

/// <summary>
/// A vhost of its own on the test RabbitMQ, seeded with dead letters shaped exactly as MassTransit and the broker write
/// them, and the tool run in-process against it.
/// </summary>
public sealed class DeadLetterBroker : IAsyncDisposable
{
    /// <summary>Personal data a SendEmail carries; none of it may ever appear in the tool's output unless asked for.</summary>
    public const string Email = "mario.rossi@example.it";
    public const string FiscalCode = "RSSMRA85T10A562S";
    public const string Phone = "+393471234567";
    public const string Subject = "Il referto del tuo esame riservato";
    public const string Markdown = "Gentile Mario Rossi, il referto dell'esame del 20/11/2026 è disponibile nel fascicolo sanitario.";

    private DeadLetterBroker(RabbitMqTestVhost vhost, IConnection connection, IChannel channel)
    {
        Vhost = vhost;
        Connection = connection;
        Channel = channel;
    }

    public RabbitMqTestVhost Vhost { get; }
    public IConnection Connection { get; }
    /// <summary>With publisher confirms: a publish returns once the broker has the message.</summary>
    public IChannel Channel { get; }

    public static async Task<DeadLetterBroker> StartAsync(string prefix)
    {
        var vhost = await RabbitMqTestVhost.CreateAsync(prefix);
        // The dead-letter exchange and queue, declared by the services' own code.
        await new DeadLetterTopology(Options.Create(new MessagingOptions
        {
            RabbitMq = new RabbitMqOptions
            {
                Host = TestEnvironment.RabbitMqHost, Port = TestEnvironment.RabbitMqPort, VirtualHost = vhost.Name,
                Username = TestEnvironment.RabbitMqUser, Password = TestEnvironment.RabbitMqPassword,
            },
        }), NullLogger<DeadLetterTopology>.Instance).StartAsync(CancellationToken.None);
        var connection = await Factory(vhost.Name).CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        return new DeadLetterBroker(vhost, connection, channel);
    }

    public static ConnectionFactory Factory(string vhost) => new()
    {
        HostName = TestEnvironment.RabbitMqHost, Port = TestEnvironment.RabbitMqPort, VirtualHost = vhost,
        UserName = TestEnvironment.RabbitMqUser, Password = TestEnvironment.RabbitMqPassword,
    };

    /// <summary>The connection options every run of the tool gets, unless the spec gives its own.</summary>
    public static IEnumerable<string> ConnectionArguments(string vhost, string[] given)
    {
        var options = new Dictionary<string, string>
        {
            ["--host"] = TestEnvironment.RabbitMqHost, ["--port"] = TestEnvironment.RabbitMqPort.ToString(), ["--vhost"] = vhost,
            ["--user"] = TestEnvironment.RabbitMqUser, ["--password"] = TestEnvironment.RabbitMqPassword,
            ["--management-port"] = TestEnvironment.RabbitMqManagementPort.ToString(),
        };
        return options.Where(o => !given.Contains(o.Key)).SelectMany(o => new[] { o.Key, o.Value });
    }

    public Task<ToolRun> RunAsync(params string[] args) => RunToolAsync(Vhost.Name, args);

    public static async Task<ToolRun> RunToolAsync(string vhost, params string[] args)
    {
        var output = new StringWriter();
        var exitCode = await Program.RunAsync([.. args, .. ConnectionArguments(vhost, args)], output);
        TestContext.Out.WriteLine($"$ notifiche-dlq {string.Join(' ', args)}  -> exit {exitCode}\n{output}");
        return new ToolRun(exitCode, output.ToString());
    }

    /// <summary>A queue declared as our endpoint queues (and, through MassTransit, their _error and _skipped queues) are.</summary>
    public async Task DeclareAsync(string queue) =>
        await Channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum", ["x-delivery-limit"] = QueueArguments.DeliveryLimit, ["x-dead-letter-exchange"] = DeadLetters.Exchange,
        });

    /// <summary>
    /// A SendEmail as MassTransit moves it to <c>&lt;queue&gt;_error</c> when retries are exhausted: the JSON envelope as sent,
    /// the fault in MT-Fault-* headers. Returns its message id.
    /// </summary>
    public async Task<SeededMessage> PublishFaultedAsync(string queue, string faultMessage = "SMTP connection: Connection refused",
        Dictionary<string, object?>? extraHeaders = null)
    {
        var seeded = new SeededMessage(Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var headers = new Dictionary<string, object?>
        {
            ["MT-Fault-ExceptionType"] = "Notifiche.Dispatch.Email.TransientFailureException",
            ["MT-Fault-Message"] = faultMessage,
            ["MT-Fault-Timestamp"] = DateTime.UtcNow.AddMinutes(-5).ToString("O"),
            ["MT-Fault-StackTrace"] = $"Notifiche.Dispatch.Email.TransientFailureException: {faultMessage}\n   at Notifiche.Dispatch.Email.SendEmailConsumer.Consume(ConsumeContext`1 context)",
            ["MT-Fault-ConsumerType"] = "Notifiche.Dispatch.Email.SendEmailConsumer",
            ["MT-Fault-RetryCount"] = 8,
            ["MT-Reason"] = "fault",
            ["MT-Host-MachineName"] = "dispatch-email-0",
            // A header a careless producer filled with personal data: its value must stay hidden.
            ["X-Citizen"] = Email,
        };
        foreach (var (name, value) in extraHeaders ?? [])
        {
            headers[name] = value;
        }

        seeded = seeded with { Body = Envelope(seeded) };
        await Channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties
        {
            MessageId = seeded.MessageId, ContentType = "application/vnd.masstransit+json", Persistent = true, Headers = headers,
        }, seeded.Body);
        return seeded;
    }

    /// <summary>A MassTransit JSON envelope of a SendEmail, with the personal data a real one carries.</summary>
    public static byte[] Envelope(SeededMessage seeded) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        messageId = seeded.MessageId,
        conversationId = Guid.NewGuid(),
        sourceAddress = "rabbitmq://localhost/notifiche/preferences",
        destinationAddress = "rabbitmq://localhost/notifiche/Notifiche.Contracts:SendEmail",
        messageType = new[] { "urn:message:Notifiche.Contracts:SendEmail" },
        message = new
        {
            noticeId = seeded.NoticeId, serviceId = "anagrafe", fiscalCode = FiscalCode, address = Email, phone = Phone,
            subject = Subject, markdown = Markdown, language = "it",
        },
        sentTime = DateTime.UtcNow.AddMinutes(-6),
        headers = new Dictionary<string, object>(),
        host = new { machineName = "preferences-0", processName = "Notifiche.Preferences" },
    });

    /// <summary>
    /// A message the broker itself dead-lettered: published to <paramref name="queue"/> (declared as our queues are), returned
    /// unsettled past the delivery limit, as a consumer that crashes every time does.
    /// </summary>
    public async Task<SeededMessage> DeadLetterThroughTheBrokerAsync(string queue)
    {
        await DeclareAsync(queue);
        var seeded = new SeededMessage(Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        await Channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties
        {
            MessageId = seeded.MessageId, ContentType = "application/vnd.masstransit+json", Persistent = true,
        }, Envelope(seeded));
        await using var crashing = await Connection.CreateChannelAsync();
        while (await crashing.BasicGetAsync(queue, autoAck: false) is { } delivery)
        {
            await crashing.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
        }

        await Eventually.Until(() => Vhost.MessagesReadyAsync(DeadLetters.Queue), n => n >= 1, what: "the broker's dead letter");
        return seeded;
    }

    /// <summary>Takes every message of a queue (they are gone afterwards).</summary>
    public async Task<List<BasicGetResult>> DrainAsync(string queue)
    {
        await using var channel = await Connection.CreateChannelAsync();
        var messages = new List<BasicGetResult>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
        {
            messages.Add(message);
        }

        return messages;
    }

    public async Task<uint> CountAsync(string queue)
    {
        await using var channel = await Connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    public async ValueTask DisposeAsync()
    {
        await Channel.CloseAsync();
        await Connection.CloseAsync();
        Connection.Dispose();
        await Vhost.DisposeAsync();
    }
}

public sealed record SeededMessage(string MessageId, string NoticeId)
{
    /// <summary>The body as published.</summary>
    public byte[] Body { get; init; } = [];
}

public sealed record ToolRun(int ExitCode, string Output);

public static class BasicGetResultExtensions
{
    public static string? Header(this BasicGetResult message, string name) =>
        message.BasicProperties.Headers is { } headers && headers.TryGetValue(name, out var value) ? HeaderValues.Text(value) : null;
}
