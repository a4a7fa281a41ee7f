using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Notifiche.Testing;

/// <summary>A virtual host of its own for one fixture (queues and messages isolated), via the management HTTP API.</summary>
public sealed class RabbitMqTestVhost : IAsyncDisposable
{
    private readonly HttpClient _api;
    private readonly List<string> _users = [];

    private RabbitMqTestVhost(string name, HttpClient api)
    {
        Name = name;
        _api = api;
    }

    public string Name { get; }

    public static async Task<RabbitMqTestVhost> CreateAsync(string prefix)
    {
        var api = new HttpClient { BaseAddress = new Uri($"http://{TestEnvironment.RabbitMqHost}:{TestEnvironment.RabbitMqManagementPort}/api/") };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestEnvironment.RabbitMqUser}:{TestEnvironment.RabbitMqPassword}")));
        var name = $"{prefix}-{Guid.NewGuid():N}";
        (await api.PutAsync($"vhosts/{name}", null)).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync($"permissions/{name}/{TestEnvironment.RabbitMqUser}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new RabbitMqTestVhost(name, api);
    }

    /// <summary>Messages ready in a queue of this vhost, or null when the queue does not exist.</summary>
    public async Task<long?> MessagesReadyAsync(string queue)
    {
        var response = await _api.GetAsync($"queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("messages_ready", out var ready) ? ready.GetInt64() : 0;
    }

    /// <summary>The queue's type and arguments as declared (e.g. x-queue-type).</summary>
    public async Task<JsonElement> QueueAsync(string queue)
    {
        var response = await _api.GetAsync($"queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    /// <summary>Fetches (and requeues) up to <paramref name="count"/> messages of a queue, headers included; empty when there is no such queue.</summary>
    public async Task<JsonElement> PeekAsync(string queue, int count = 10)
    {
        var response = await _api.PostAsJsonAsync($"queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_true", encoding = "auto" });
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return JsonDocument.Parse("[]").RootElement.Clone();
        }

        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    /// <summary>A broker user of its own (as a PA service gets one), with these permissions on this vhost only.</summary>
    public async Task CreateUserAsync(string user, string password, (string Configure, string Write, string Read) permissions, string tags = "")
    {
        (await _api.PutAsJsonAsync($"users/{Uri.EscapeDataString(user)}", new { password, tags })).EnsureSuccessStatusCode();
        _users.Add(user);
        (await _api.PutAsJsonAsync($"permissions/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(user)}",
            new { configure = permissions.Configure, write = permissions.Write, read = permissions.Read })).EnsureSuccessStatusCode();
    }

    /// <summary>
    /// A broker outage for this vhost's clients: revokes the user's permissions and closes its connections (reconnecting
    /// fails), or grants them again.
    /// </summary>
    public async Task SetReachableAsync(bool reachable)
    {
        if (reachable)
        {
            (await _api.PutAsJsonAsync($"permissions/{Name}/{TestEnvironment.RabbitMqUser}",
                new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
            return;
        }

        (await _api.DeleteAsync($"permissions/{Name}/{TestEnvironment.RabbitMqUser}")).EnsureSuccessStatusCode();
        // Closed until none has been listed for a while: without the permission no new connection opens, but one that
        // was being opened as the permission went (a host reconnecting after an earlier outage) shows up in the management
        // API's list only a moment later, and would go on publishing.
        var quietSince = DateTime.UtcNow;
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow - quietSince < TimeSpan.FromSeconds(1.5) && DateTime.UtcNow < until)
        {
            using var connections = JsonDocument.Parse(await _api.GetStringAsync($"vhosts/{Uri.EscapeDataString(Name)}/connections"));
            foreach (var connection in connections.RootElement.EnumerateArray())
            {
                await _api.DeleteAsync($"connections/{Uri.EscapeDataString(connection.GetProperty("name").GetString()!)}");
                quietSince = DateTime.UtcNow;
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DeleteAsync($"vhosts/{Name}");
        foreach (var user in _users)
        {
            await _api.DeleteAsync($"users/{Uri.EscapeDataString(user)}");
        }

        _api.Dispose();
    }
}
