using System.Net.Http.Json;

namespace Notifiche.Testing;

/// <summary>What an operator does before a service may send: register it through the admin API and take it live.</summary>
public static class ServiceOnboarding
{
    /// <summary>Registers and activates a service; returns its API key (shown only at creation).</summary>
    public static async Task<string> RegisterLiveAsync(HttpClient gateway, string operatorKey, string id, string name,
        IReadOnlyList<string> allowedChannels)
    {
        var created = await SendAsync(gateway, operatorKey, "/api/v1/admin/services", new
        {
            id, name, organization_name = "Comune di Prova", organization_fiscal_code = "01199250158",
            contact_email = "servizio@comune.example.it", allowed_channels = allowedChannels,
            // No limits: specs and the fault suite send in bursts far above a new service's default limits.
            rate_limit = (object?)null, daily_notice_quota = (int?)null,
        });
        await SendAsync(gateway, operatorKey, $"/api/v1/admin/services/{id}/activate", null);
        return created.GetProperty("api_key").GetString()!;
    }

    private static async Task<System.Text.Json.JsonElement> SendAsync(HttpClient gateway, string operatorKey, string path, object? body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Operator-Key", operatorKey);
        using var response = await gateway.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
    }
}
