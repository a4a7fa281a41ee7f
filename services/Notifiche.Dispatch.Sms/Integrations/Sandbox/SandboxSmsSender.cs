using System.Text.Json;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Sms.Sending;

namespace Notifiche.Dispatch.Sms.Integrations.Sandbox;

/// <summary>
/// Sends nothing: appends each SMS as one JSON line to <c>sms.jsonl</c> in <see cref="SmsOptions.SandboxDirectory"/>,
/// so the embedded default and demos show what would have been sent.
/// </summary>
public sealed class SandboxSmsSender(IOptions<SmsOptions> options, TimeProvider clock) : ISmsSender
{
    public const string FileName = "sms.jsonl";

    private readonly SemaphoreSlim _file = new(1, 1);

    public async Task<DeliveryResult> SendAsync(SmsMessage message, ProviderHandOff handOff, CancellationToken ct)
    {
        var folder = Path.GetFullPath(options.Value.SandboxDirectory);
        Directory.CreateDirectory(folder);
        var id = $"sandbox-{message.NoticeId:N}";
        var line = JsonSerializer.Serialize(new
        {
            id, notice_id = message.NoticeId, to = message.To, body = message.Body, segments = message.Segments, sent_at = clock.GetUtcNow(),
        });

        await _file.WaitAsync(ct);
        try
        {
            if (!await handOff(ct))
            {
                return new DeliveryResult.Transient("SANDBOX not handed over");
            }

            await File.AppendAllTextAsync(Path.Combine(folder, FileName), line + "\n", ct);
        }
        finally
        {
            _file.Release();
        }

        return new DeliveryResult.Sent(id);
    }
}
