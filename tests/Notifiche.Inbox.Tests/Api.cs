using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

/// <summary>What a PA service and the citizen app backend do, over HTTP.</summary>
public static class Api
{
    public const string Markdown =
        "Gentile cittadino, il tuo **referto** è pronto.\n\nConsultalo su [Fascicolo sanitario](https://example.it/fse) entro trenta giorni.";

    public static object Notice(string fiscalCode, string? email = null, string subject = "Il tuo referto è pronto", string markdown = Markdown,
        string? dueDate = null) => new
    {
        fiscal_code = fiscalCode,
        content = new { subject, markdown, due_date = dueDate },
        default_addresses = email is null ? null : new { email },
    };

    public static async Task<Guid> SubmitAsync(HttpClient service, object body)
    {
        var response = await service.PostAsJsonAsync("/api/v1/notices", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> StatusAsync(HttpClient service, Guid id) =>
        await service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}");

    public static Task<JsonElement> WaitForStatusAsync(HttpClient service, Guid id, Func<JsonElement, bool> done, string what) =>
        Eventually.Until(() => StatusAsync(service, id), done, TimeSpan.FromSeconds(60), what);

    public static string? ChannelStatus(JsonElement status, string channel) =>
        status.GetProperty("channels").EnumerateArray().Where(c => c.GetProperty("channel").GetString() == channel)
            .Select(c => c.GetProperty("status").GetString()).FirstOrDefault();

    public static async Task<List<JsonElement>> EventsAsync(HttpClient service, Guid id) =>
        [.. (await service.GetFromJsonAsync<JsonElement>($"/api/v1/notices/{id}/events")).GetProperty("events").EnumerateArray()];

    public static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    public static string? Channel(JsonElement e) => e.GetProperty("channel").GetString();

    /// <summary>One inbox page, as the app backend lists it.</summary>
    public static async Task<JsonElement> PageAsync(string fiscalCode, string query = "")
    {
        var response = await Platform.Hosts.Inbox.GetAsync($"/api/v1/inbox/{fiscalCode}/notices{query}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static List<Guid> Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];

    /// <summary>Waits until the citizen's inbox lists at least <paramref name="count"/> notices (routing puts them there).</summary>
    public static Task<JsonElement> WaitForInboxAsync(string fiscalCode, int count, string query = "?page_size=100") =>
        Eventually.Until(() => PageAsync(fiscalCode, query), p => Ids(p).Count >= count, TimeSpan.FromSeconds(60), $"{count} notices in the inbox");

    public static Task<HttpResponseMessage> ReadAsync(string fiscalCode, Guid id) =>
        Platform.Hosts.Inbox.GetAsync($"/api/v1/inbox/{fiscalCode}/notices/{id}");

    public static Task<HttpResponseMessage> MarkReadAsync(string fiscalCode, Guid id) =>
        Platform.Hosts.Inbox.PostAsync($"/api/v1/inbox/{fiscalCode}/notices/{id}/read", null);

    public static Task<HttpResponseMessage> ArchiveAsync(string fiscalCode, Guid id) =>
        Platform.Hosts.Inbox.PostAsync($"/api/v1/inbox/{fiscalCode}/notices/{id}/archive", null);

    public static async Task PutProfileAsync(string fiscalCode, object profile)
    {
        var response = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", profile);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    public static string NewEmail(string what) => $"{what}-{Guid.NewGuid():N}@example.it";
}
