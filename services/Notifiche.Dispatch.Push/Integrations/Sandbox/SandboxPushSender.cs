using System.Text.Json;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Push.Sending;

namespace Notifiche.Dispatch.Push.Integrations.Sandbox;

/// <summary>
/// Sends nothing: appends each push (one per device token) as a JSON line to <c>push.jsonl</c> in
/// <see cref="PushOptions.SandboxDirectory"/>, so the embedded default and demos show what would have been sent.
/// </summary>
public sealed class SandboxPushSender(IOptions<PushOptions> options, TimeProvider clock) : IPushSender
{
    public const string FileName = "push.jsonl";

    private readonly SemaphoreSlim _file = new(1, 1);

    public async Task<PushResult> SendAsync(PushNotification notification, string deviceToken, ProviderHandOff handOff, CancellationToken ct)
    {
        var folder = Path.GetFullPath(options.Value.SandboxDirectory);
        Directory.CreateDirectory(folder);
        var id = $"sandbox/{notification.NoticeId:N}/{Guid.NewGuid():N}";
        var line = JsonSerializer.Serialize(new
        {
            id, notice_id = notification.NoticeId, token = deviceToken, title = notification.Title, body = notification.Body,
            sent_at = clock.GetUtcNow(),
        });

        await _file.WaitAsync(ct);
        try
        {
            if (!await handOff(ct))
            {
                return new PushResult.Transient("SANDBOX not handed over");
            }

            await File.AppendAllTextAsync(Path.Combine(folder, FileName), line + "\n", ct);
        }
        finally
        {
            _file.Release();
        }

        return new PushResult.Sent(id);
    }
}
