using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Notifiche.EndToEnd.Tests;

public class Submitting_with_an_idempotency_key
{
    private HttpClient _service = null!;

    [OneTimeSetUp]
    public async Task RegisterAsync() => _service = await Platform.Hosts.RegisterServiceAsync("anagrafe-idempotency");

    private async Task<HttpResponseMessage> PostAsync(string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notices") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await _service.SendAsync(request);
    }

    private static async Task<Guid> IdOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

    [Test]
    public async Task Should_answer_a_retry_with_the_original_notice_and_send_one_email()
    {
        var key = Guid.NewGuid().ToString();
        var address = $"retry-{Guid.NewGuid():N}@example.it";

        var first = await PostAsync(key, NoticeApi.Body(address));
        var retry = await PostAsync(key, NoticeApi.Body(address, fiscalCode: " rssmra85t10a562s")); // same notice once normalised

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(retry.Headers.GetValues("Idempotent-Replayed").Single(), Is.EqualTo("true"));
        var id = await IdOf(first);
        Assert.That(await IdOf(retry), Is.EqualTo(id));
        Assert.That(retry.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/notices/{id}"));
        await NoticeApi.WaitForChannelAsync(_service, id, "email", "SENT");
        Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Should_refuse_the_same_key_with_a_different_body()
    {
        var key = Guid.NewGuid().ToString();
        var before = await Platform.Hosts.Database.CountAsync("notices");

        Assert.That((await PostAsync(key, NoticeApi.Body("one@example.it"))).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var reused = await PostAsync(key, NoticeApi.Body("two@example.it"));

        Assert.That(reused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(reused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before + 1));
    }

    [Test]
    public async Task Should_resolve_concurrent_duplicates_to_one_notice_and_one_email()
    {
        var key = Guid.NewGuid().ToString();
        var address = $"concurrent-{Guid.NewGuid():N}@example.it";
        var before = await Platform.Hosts.Database.CountAsync("notices");

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => PostAsync(key, NoticeApi.Body(address))));

        Assert.That(responses.Select(r => r.StatusCode), Has.All.EqualTo(HttpStatusCode.Created).Or.EqualTo(HttpStatusCode.OK));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Created), Is.EqualTo(1));
        var ids = await Task.WhenAll(responses.Select(IdOf));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(1));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before + 1));
        await NoticeApi.WaitForChannelAsync(_service, ids[0], "email", "SENT");
        Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Has.Count.EqualTo(1));
    }

    [TestCase("")]
    [TestCase("has space")]
    public async Task Should_reject_a_malformed_key_naming_the_header(string key)
    {
        var response = await PostAsync(key, NoticeApi.Body("x@example.it"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), Is.True, problem.ToString());
    }
}
