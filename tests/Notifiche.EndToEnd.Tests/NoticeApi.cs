using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>What a PA service's integration does: submit notices and read their status.</summary>
public static class NoticeApi
{
    public const string FiscalCode = "RSSMRA85T10A562S";

    public static object Body(string? email = null, string? subject = null, string fiscalCode = FiscalCode) => new
    {
        fiscal_code = fiscalCode,
        content = new
        {
            subject = subject ?? "La tua carta d'identità scade tra 30 giorni",
            markdown = "Gentile cittadino, la tua **carta d'identità** scade il 26/12/2026.\n\nPrenota il rinnovo su [prenotazioni](https://example.it/prenota).",
        },
        default_addresses = email is null ? null : new { email },
    };

    public static async Task<Guid> SubmitAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/v1/notices", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/notices/{id}"));
        return id;
    }

    public static Task<JsonElement> StatusAsync(HttpClient client, Guid id) => NoticeStatuses.GetAsync(client, id);

    /// <summary>The status of one channel, or null while it is not planned yet.</summary>
    public static string? ChannelStatus(JsonElement status, string channel) => NoticeStatuses.Channel(status, channel);

    public static Task<JsonElement> WaitForChannelAsync(HttpClient client, Guid id, string channel, string wanted, TimeSpan? timeout = null) =>
        NoticeStatuses.WaitForChannelAsync(client, id, channel, wanted, timeout);
}
