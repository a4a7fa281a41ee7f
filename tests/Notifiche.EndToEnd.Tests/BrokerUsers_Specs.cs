using Notifiche.Messaging;
using Notifiche.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// Issue 16, point 2: each platform service on its own broker user, with only the permissions
/// <see cref="BrokerUsers"/> gives it (what the deployment files create): the platform still carries a notice end to end,
/// and one service's user cannot delete, declare or read what another service uses.
/// </summary>
public class Running_each_service_on_its_own_broker_user
{
    private PlatformHosts _platform = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _platform = await PlatformHosts.StartAsync("broker-users", serviceBrokerUsers: true);
        await _platform.WaitUntilReadyAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _platform.DisposeAsync();

    [Test]
    public async Task Should_carry_a_notice_from_the_gateway_through_preferences_to_the_email_dispatcher()
    {
        using var service = await _platform.RegisterServiceAsync("utenti-broker");
        var address = $"utenti-broker-{Guid.NewGuid():N}@example.it";

        var id = await NoticeApi.SubmitAsync(service, NoticeApi.Body(address));

        await NoticeApi.WaitForChannelAsync(service, id, "email", "SENT");
        Assert.That(_platform.Smtp.MessagesTo(address), Has.Count.EqualTo(1));
    }

    [TestCase(ServiceHosts.EmailDispatch, "send-sms")]
    [TestCase(ServiceHosts.EmailDispatch, "submit-notice")]
    [TestCase(ServiceHosts.Preferences, "notification-sent")]
    [TestCase(ServiceHosts.SmsDispatch, "notifiche.dead-letters_error")]
    public async Task Should_not_let_a_service_delete_a_queue_it_does_not_use(string service, string queue)
    {
        await using var connection = await ConnectAsAsync(service);
        await using var channel = await connection.CreateChannelAsync();

        var refused = Assert.CatchAsync<OperationInterruptedException>(() => channel.QueueDeleteAsync(queue));

        Assert.That(refused!.ShutdownReason?.ReplyCode, Is.EqualTo(403), "ACCESS_REFUSED");
        await using var admin = await ConnectAsAsync(null);
        await using var look = await admin.CreateChannelAsync();
        if (queue != "notifiche.dead-letters_error")
        {
            Assert.That(await look.QueueDeclarePassiveAsync(queue), Is.Not.Null, "still there");
        }
    }

    [Test]
    public async Task Should_not_let_a_dispatcher_read_another_dispatchers_commands_or_declare_a_queue_of_its_own_choosing()
    {
        await using var connection = await ConnectAsAsync(ServiceHosts.TelegramDispatch);
        await using var read = await connection.CreateChannelAsync();
        await using var declare = await connection.CreateChannelAsync();

        var reading = Assert.CatchAsync<OperationInterruptedException>(() => read.BasicGetAsync("send-email", autoAck: false));
        var declaring = Assert.CatchAsync<OperationInterruptedException>(() => declare.QueueDeclareAsync("notifiche-dispatch-telegram-extra", true, false, false));

        Assert.That(reading!.ShutdownReason?.ReplyCode, Is.EqualTo(403));
        Assert.That(declaring!.ShutdownReason?.ReplyCode, Is.EqualTo(403));
    }

    private Task<IConnection> ConnectAsAsync(string? service) => new ConnectionFactory
    {
        HostName = TestEnvironment.RabbitMqHost, Port = TestEnvironment.RabbitMqPort, VirtualHost = _platform.Vhost.Name,
        UserName = service is null ? TestEnvironment.RabbitMqUser : _platform.BrokerUserOf(service),
        Password = service is null ? TestEnvironment.RabbitMqPassword : _platform.BrokerUserPassword,
    }.CreateConnectionAsync();
}
