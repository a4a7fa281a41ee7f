using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.Governance.Tests;

/// <summary>The platform operator's side: the admin API with the operator key, and services as PA integrations use them.</summary>
public static class Operator
{
    public const string OrganizationFiscalCode = "01199250158";

    public static object ServiceBody(string id, params string[] channels) => new
    {
        id, name = "Servizio anagrafe", department = "Servizi demografici", organization_name = "Comune di Milano",
        organization_fiscal_code = OrganizationFiscalCode, contact_email = "anagrafe@comune.example.it",
        allowed_channels = channels.Length == 0 ? ["email"] : channels,
    };

    public static async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, "/api/v1/admin" + path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Operator-Key", PlatformHosts.OperatorKey);
        return await Platform.Hosts.Management.SendAsync(request);
    }

    public static async Task<JsonElement> OkAsync(HttpMethod method, string path, object? body = null)
    {
        var response = await SendAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    /// <summary>Registers a service (in sandbox unless <paramref name="live"/>) and returns its first key.</summary>
    public static async Task<string> CreateAsync(object body, bool live = true)
    {
        var created = await OkAsync(HttpMethod.Post, "/services", body);
        var id = created.GetProperty("service_id").GetString();
        if (live)
        {
            await OkAsync(HttpMethod.Post, $"/services/{id}/activate");
        }

        return created.GetProperty("api_key").GetString()!;
    }

    public static Task<JsonElement> UpdateAsync(string id, object changes) => OkAsync(HttpMethod.Patch, $"/services/{id}", changes);

    public static HttpClient ClientWith(string apiKey)
    {
        var client = new HttpClient { BaseAddress = Platform.Hosts.Gateway.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public static object Notice(string fiscalCode, string? email = "cittadino@example.it") => new
    {
        fiscal_code = fiscalCode,
        content = new
        {
            subject = "La tua carta d'identità scade tra 30 giorni",
            markdown = "Gentile cittadino, la tua **carta d'identità** scade il 26/12/2026.\n\nPrenota il rinnovo su [prenotazioni](https://example.it/prenota).",
        },
        default_addresses = email is null ? null : new { email },
    };

    public static Task<HttpResponseMessage> SubmitAsync(HttpClient service, string fiscalCode, string? email = "cittadino@example.it") =>
        service.PostAsJsonAsync("/api/v1/notices", Notice(fiscalCode, email));

    public static async Task<Guid> AcceptedAsync(HttpClient service, string fiscalCode, string? email = "cittadino@example.it")
    {
        var response = await SubmitAsync(service, fiscalCode, email);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    public static Task<JsonElement> StatusAsync(HttpClient service, Guid id) => NoticeStatuses.GetAsync(service, id);

    public static string? ChannelStatus(JsonElement status, string channel) => NoticeStatuses.Channel(status, channel);

    public static Task<JsonElement> WaitForChannelAsync(HttpClient service, Guid id, string channel, string wanted) =>
        NoticeStatuses.WaitForChannelAsync(service, id, channel, wanted, TimeSpan.FromSeconds(60));
}
