using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Push.Sending;

namespace Notifiche.Dispatch.Push.Tests;

/// <summary>The FCM adapter against a local server speaking FCM HTTP v1 and Google's token endpoint.</summary>
public abstract class FcmSpec
{
    protected FcmStub Stub = null!;
    private IHost _host = null!;

    protected IPushSender Sender => _host.Services.GetRequiredService<IPushSender>();

    protected static readonly PushNotification Notification = new(Guid.NewGuid(), "ASL Roma 1", "Il tuo referto è pronto");

    [SetUp]
    public async Task StartStub()
    {
        Stub = await FcmStub.StartAsync();
        _host = PushTestHost.Build(PushTestHost.Settings(Stub));
    }

    [TearDown]
    public async Task StopStub()
    {
        _host.Dispose();
        await Stub.DisposeAsync();
    }
}

public class Sending_a_push_through_fcm : FcmSpec
{
    [Test]
    public async Task Should_send_title_body_and_notice_id_with_a_bearer_token_and_return_the_message_name()
    {
        var result = await Sender.SendAsync(Notification, "device-token-1", ProviderHandOffs.Unguarded, CancellationToken.None);

        var request = Stub.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(new PushResult.Sent($"projects/{FcmStub.ProjectId}/messages/0:1")));
            Assert.That(request.ProjectId, Is.EqualTo(FcmStub.ProjectId));
            Assert.That(request.Authorization, Is.EqualTo("Bearer ya29.test-1"));
            Assert.That(request.Token, Is.EqualTo("device-token-1"));
            Assert.That(request.Title, Is.EqualTo("ASL Roma 1"));
            Assert.That(request.Body, Is.EqualTo("Il tuo referto è pronto"));
            Assert.That(request.NoticeId, Is.EqualTo(Notification.NoticeId.ToString()));
        });
    }

    [Test]
    public async Task Should_fetch_the_oauth_token_once_and_reuse_it()
    {
        foreach (var token in new[] { "device-a", "device-b", "device-c" })
        {
            await Sender.SendAsync(Notification, token, ProviderHandOffs.Unguarded, CancellationToken.None);
        }

        Assert.That(Stub.TokensIssued, Is.EqualTo(1));
        Assert.That(Stub.Requests.Select(r => r.Authorization), Is.EqualTo(Enumerable.Repeat("Bearer ya29.test-1", 3)));
    }
}

public class Fcm_answering_with_an_error : FcmSpec
{
    [TestCase(404, "UNREGISTERED", typeof(PushResult.TokenRejected), 1, TestName = "UNREGISTERED 404: token rejected")]
    [TestCase(400, "INVALID_ARGUMENT", typeof(PushResult.Permanent), 1, TestName = "INVALID_ARGUMENT 400 about the message: permanent, the token is kept")]
    [TestCase(403, "SENDER_ID_MISMATCH", typeof(PushResult.Permanent), 1, TestName = "SENDER_ID_MISMATCH 403: permanent")]
    [TestCase(401, "THIRD_PARTY_AUTH_ERROR", typeof(PushResult.Permanent), 1, TestName = "THIRD_PARTY_AUTH_ERROR 401: permanent")]
    [TestCase(429, "QUOTA_EXCEEDED", typeof(PushResult.Transient), 3, TestName = "QUOTA_EXCEEDED 429: transient, retried")]
    [TestCase(503, "UNAVAILABLE", typeof(PushResult.Transient), 3, TestName = "UNAVAILABLE 503: transient, retried")]
    [TestCase(500, "INTERNAL", typeof(PushResult.Unknown), 1, TestName = "INTERNAL 500: may have been sent, not retried")]
    public async Task Should_classify_the_error_code(int status, string errorCode, Type expected, int calls)
    {
        Stub.Answer = (_, _) => FcmAnswer.Error(status, errorCode);

        var result = await Sender.SendAsync(Notification, "device-token-1", ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.InstanceOf(expected));
            Assert.That(result.ToString(), Does.Contain($"FCM {errorCode}").And.Not.Contains("device-token-1"));
            Assert.That(Stub.Requests, Has.Count.EqualTo(calls));
        });
    }

    [Test]
    public async Task Should_reject_the_token_on_an_invalid_argument_that_names_it()
    {
        Stub.Answer = (_, _) => FcmAnswer.InvalidToken();

        var result = await Sender.SendAsync(Notification, "device-token-1", ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new PushResult.TokenRejected("FCM INVALID_ARGUMENT")));
    }

    [TestCase(404)]
    [TestCase(400)]
    [TestCase(502)]
    public async Task Should_keep_the_token_when_a_proxy_answers_with_an_html_page(int status)
    {
        Stub.Answer = (_, _) => FcmAnswer.HtmlPage(status);

        var result = await Sender.SendAsync(Notification, "device-token-1", ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.That(result, Is.Not.InstanceOf<PushResult.TokenRejected>(), "issue 16: only FCM's own UNREGISTERED or INVALID_ARGUMENT naming the token");
        Assert.That(result.ToString(), Does.Contain($"FCM HTTP {status}"));
    }

    [Test]
    public async Task Should_wait_as_long_as_retry_after_asks_on_quota_exceeded()
    {
        Stub.Answer = (_, n) => n == 1 ? FcmAnswer.Error(429, "QUOTA_EXCEEDED", retryAfterSeconds: 1) : null;

        var result = await Sender.SendAsync(Notification, "device-token-1", ProviderHandOffs.Unguarded, CancellationToken.None);

        var attempts = Stub.Requests.ToArray();
        Assert.That(result, Is.InstanceOf<PushResult.Sent>());
        Assert.That(attempts[1].At - attempts[0].At, Is.GreaterThan(TimeSpan.FromMilliseconds(900)), "the back-off is 50 ms; only Retry-After makes it a second");
    }

    [Test]
    public async Task Should_be_transient_when_the_token_endpoint_is_down()
    {
        var sender = Sender; // the running dispatcher, whose key file was checked when it started
        await Stub.DisposeAsync();

        var result = await sender.SendAsync(Notification, "device-token-1", ProviderHandOffs.Unguarded, CancellationToken.None);

        Assert.That(result, Is.InstanceOf<PushResult.Transient>());
    }
}
