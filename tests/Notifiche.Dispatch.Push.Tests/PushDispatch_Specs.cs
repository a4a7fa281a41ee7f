using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.Contracts;

namespace Notifiche.Dispatch.Push.Tests;

/// <summary>The product's bus and consumer on MassTransit's in-memory test harness, the provider an <see cref="FcmStub"/>.</summary>
public abstract class PushDispatchSpec
{
    protected FcmStub Stub = null!;
    protected ITestHarness Harness = null!;
    private IHost _host = null!;

    protected static SendPush Command(string[] tokens, bool anonymous = false, DateTimeOffset? expiresAt = null) => new()
    {
        NoticeId = Guid.NewGuid(), ServiceId = "asl-roma-1", ServiceName = "ASL Roma 1", DeviceTokens = tokens, Subject = "Il tuo referto è pronto",
        Anonymous = anonymous, Language = "it", ExpiresAt = expiresAt ?? DateTimeOffset.UtcNow.AddDays(7),
    };

    [SetUp]
    public async Task Start()
    {
        Stub = await FcmStub.StartAsync();
        _host = PushTestHost.Build(PushTestHost.Settings(Stub), withBus: true);
        Harness = _host.Services.GetRequiredService<ITestHarness>();
        // The first dispatch also builds the ledger's EF Core model and compiles its statements: on a loaded 2-core
        // machine that is seconds of quiet, far more than the harness's default second.
        Harness.TestInactivityTimeout = TimeSpan.FromSeconds(8);
        await Harness.Start();
    }

    [TearDown]
    public async Task Stop()
    {
        await Harness.Stop();
        _host.Dispose();
        await Stub.DisposeAsync();
    }

    protected T Single<T>() where T : class => Harness.Published.Select<T>().Single().Context.Message;
}

public class Dispatching_a_push_to_two_devices : PushDispatchSpec
{
    [Test]
    public async Task Should_send_to_each_device_and_publish_sent_with_both_message_names()
    {
        var command = Command(["device-a", "device-b"]);

        await Harness.Bus.Publish(command);

        Assert.That(await Harness.Published.Any<NotificationSent>(), Is.True);
        var sent = Single<NotificationSent>();
        Assert.Multiple(() =>
        {
            Assert.That(Stub.Delivered.Select(r => r.Token), Is.EquivalentTo(new[] { "device-a", "device-b" }));
            Assert.That(sent.Channel, Is.EqualTo(Channels.Push));
            Assert.That(sent.ProviderMessageId!.Split(' '), Has.Length.EqualTo(2).And.All.StartWith($"projects/{FcmStub.ProjectId}/messages/"));
            Assert.That(Harness.Published.Select<PushTokenRejected>(), Is.Empty);
        });
    }
}

public class Dispatching_a_push_when_one_token_is_unregistered : PushDispatchSpec
{
    [Test]
    public async Task Should_report_that_token_and_still_be_sent()
    {
        Stub.Answer = (r, _) => r.Token == "device-old" ? FcmAnswer.Error(404, "UNREGISTERED") : null;
        var command = Command(["device-old", "device-new"]);

        await Harness.Bus.Publish(command);

        Assert.That(await Harness.Published.Any<NotificationSent>(), Is.True);
        var rejected = Single<PushTokenRejected>();
        Assert.Multiple(() =>
        {
            Assert.That(rejected.NoticeId, Is.EqualTo(command.NoticeId));
            Assert.That(rejected.DeviceToken, Is.EqualTo("device-old"));
            Assert.That(rejected.Reason, Is.EqualTo("FCM UNREGISTERED"));
            Assert.That(Harness.Published.Select<NotificationFailed>(), Is.Empty);
        });
    }
}

public class Dispatching_a_push_when_every_token_is_rejected : PushDispatchSpec
{
    [Test]
    public async Task Should_fail_permanently_and_report_every_token()
    {
        Stub.Answer = (r, _) => r.Token == "device-a" ? FcmAnswer.Error(404, "UNREGISTERED") : FcmAnswer.InvalidToken();

        await Harness.Bus.Publish(Command(["device-a", "device-b"]));

        Assert.That(await Harness.Published.Any<NotificationFailed>(), Is.True);
        var failed = Single<NotificationFailed>();
        Assert.Multiple(() =>
        {
            Assert.That(failed.Permanent, Is.True);
            Assert.That(failed.Reason, Is.EqualTo("FCM UNREGISTERED, FCM INVALID_ARGUMENT"));
            Assert.That(Harness.Published.Select<PushTokenRejected>().Select(r => r.Context.Message.DeviceToken), Is.EquivalentTo(new[] { "device-a", "device-b" }));
            Assert.That(Harness.Published.Select<NotificationSent>(), Is.Empty);
            Assert.That(Stub.Requests, Has.Count.EqualTo(2), "rejections are not retried");
        });
    }
}

public class Dispatching_a_push_with_a_sender_mismatch : PushDispatchSpec
{
    [Test]
    public async Task Should_fail_permanently_without_reporting_the_token()
    {
        Stub.Answer = (_, _) => FcmAnswer.Error(403, "SENDER_ID_MISMATCH");

        await Harness.Bus.Publish(Command(["device-a"]));

        Assert.That(await Harness.Published.Any<NotificationFailed>(), Is.True);
        Assert.That(Single<NotificationFailed>().Reason, Is.EqualTo("FCM SENDER_ID_MISMATCH"));
        Assert.That(Harness.Published.Select<PushTokenRejected>(), Is.Empty);
    }
}

public class Dispatching_an_anonymous_push : PushDispatchSpec
{
    [Test]
    public async Task Should_show_the_service_name_and_a_generic_line_not_the_subject()
    {
        await Harness.Bus.Publish(Command(["device-a"], anonymous: true));

        Assert.That(await Harness.Published.Any<NotificationSent>(), Is.True);
        var request = Stub.Delivered.Single();
        Assert.That(request.Title, Is.EqualTo("ASL Roma 1"));
        Assert.That(request.Body, Is.EqualTo("Hai un nuovo avviso"));
    }
}

public class Dispatching_an_expired_push : PushDispatchSpec
{
    [Test]
    public async Task Should_publish_expired_and_never_call_fcm()
    {
        await Harness.Bus.Publish(Command(["device-a"], expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1)));

        Assert.That(await Harness.Published.Any<NotificationExpired>(), Is.True);
        Assert.That(Stub.Requests, Is.Empty);
        Assert.That(Stub.TokensIssued, Is.Zero);
    }
}

public class Fcm_unavailable_for_one_device_for_a_while : PushDispatchSpec
{
    [Test]
    public async Task Should_retry_only_that_device_and_publish_sent_once()
    {
        var backAt = DateTimeOffset.UtcNow.AddSeconds(0.7);
        Stub.Answer = (r, _) => r.Token == "device-b" && r.At < backAt ? FcmAnswer.Error(503, "UNAVAILABLE") : null;

        await Harness.Bus.Publish(Command(["device-a", "device-b"]));

        await Eventually.Holds(() => Harness.Published.Select<NotificationSent>().Any(), TimeSpan.FromSeconds(10), "the push sent");
        Assert.Multiple(() =>
        {
            Assert.That(Stub.Delivered.Select(r => r.Token), Is.EquivalentTo(new[] { "device-a", "device-b" }), "each device got it once");
            Assert.That(Stub.Requests.Count(r => r.Token == "device-b"), Is.GreaterThan(1), "device-b was retried");
            Assert.That(Harness.Published.Select<NotificationSent>().Count(), Is.EqualTo(1));
            Assert.That(Harness.Published.Select<Fault<SendPush>>(), Is.Empty);
        });
    }
}
