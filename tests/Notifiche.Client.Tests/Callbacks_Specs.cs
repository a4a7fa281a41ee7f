using System.Text;
using Notifiche.Testing;

namespace Notifiche.Client.Tests;

public class Status_callbacks_through_the_client
{
    private const string Secret = "the-services-callback-secret-of-32-characters-or-more";

    [Test]
    public async Task Should_register_show_and_delete_the_callback()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        var client = await Platform.ServiceClientAsync("client-callback-crud");
        Assert.That(await client.GetCallbackAsync(), Is.Null);

        var registered = await client.SetCallbackAsync(receiver.Url, Secret);
        Assert.That(registered.Url, Is.EqualTo(receiver.Url.ToString()));
        Assert.That((await client.GetCallbackAsync())?.Url, Is.EqualTo(receiver.Url.ToString()));

        await client.DeleteCallbackAsync();
        Assert.That(await client.GetCallbackAsync(), Is.Null);
    }

    [Test]
    public async Task Should_refuse_a_short_secret_naming_the_field()
    {
        var client = await Platform.ServiceClientAsync("client-callback-invalid");
        var refused = Assert.ThrowsAsync<NotificheApiException>(() => client.SetCallbackAsync(new Uri("https://example.it/hook"), "short"))!;
        Assert.That(refused.Errors.Keys, Is.EquivalentTo(new[] { "secret" }));
    }

    [Test]
    public async Task Should_accept_the_gateways_signature_and_reject_a_tampered_body_or_another_secret()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        var client = await Platform.ServiceClientAsync("client-callback-signed");
        await client.SetCallbackAsync(receiver.Url, Secret);
        var submitted = await client.SubmitNoticeAsync(Platform.Notice(Citizens.NewFiscalCode(), "paolo.gialli@example.it"));

        await Eventually.Holds(() => receiver.Received.Count(c => Encoding.UTF8.GetString(c.Body).Contains(submitted.Id.ToString())) >= 2,
            TimeSpan.FromSeconds(60), "the ACCEPTED and PROCESSED callbacks");
        var received = receiver.Received.Where(c => Encoding.UTF8.GetString(c.Body).Contains(submitted.Id.ToString())).ToList();
        foreach (var callback in received)
        {
            Assert.That(CallbackSignature.IsValid(Secret, callback.Body, callback.Signature), Is.True, "the gateway's own signature");
            var change = CallbackSignature.Read(Secret, callback.Body, callback.Signature);
            Assert.That(change.NoticeId, Is.EqualTo(submitted.Id));

            var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(callback.Body).Replace(change.Status, "EXPIRED"));
            Assert.That(CallbackSignature.IsValid(Secret, tampered, callback.Signature), Is.False, "a changed body");
            Assert.That(CallbackSignature.IsValid(Secret + "x", callback.Body, callback.Signature), Is.False, "another secret");
            Assert.That(CallbackSignature.IsValid(Secret, callback.Body, callback.Signature!.Replace("sha256=", "sha1=")), Is.False, "another algorithm");
            Assert.That(CallbackSignature.IsValid(Secret, callback.Body, callback.Signature[..^2]), Is.False, "a truncated signature");
            Assert.That(CallbackSignature.IsValid(Secret, callback.Body, null), Is.False, "no signature");
            Assert.Throws<CallbackSignatureException>(() => CallbackSignature.Read(Secret, tampered, callback.Signature));
        }

        Assert.That(received.Select(c => CallbackSignature.Read(Secret, c.Body, c.Signature).Status), Is.SupersetOf(new[] { "ACCEPTED", "PROCESSED" }));
    }
}
