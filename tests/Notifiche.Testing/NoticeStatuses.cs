using System.Net.Http.Json;
using System.Text.Json;

namespace Notifiche.Testing;

/// <summary>Reading a notice's status as its sending service does (<c>GET /api/v1/notices/{id}</c>), for every spec project.</summary>
public static class NoticeStatuses
{
    public static async Task<JsonElement> GetAsync(HttpClient service, Guid id)
    {
        var response = await service.GetAsync($"/api/v1/notices/{id}");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The status of one channel, or null while it is not planned yet.</summary>
    public static string? Channel(JsonElement status, string channel) =>
        status.GetProperty("channels").EnumerateArray()
            .Where(c => c.GetProperty("channel").GetString() == channel)
            .Select(c => c.GetProperty("status").GetString())
            .FirstOrDefault();

    public static Task<JsonElement> WaitForChannelAsync(HttpClient service, Guid id, string channel, string wanted, TimeSpan? timeout = null) =>
        Eventually.Until(() => GetAsync(service, id), s => Channel(s, channel) == wanted, timeout, $"{channel} {wanted}");
}
