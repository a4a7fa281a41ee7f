using System.Text.Json;
using Microsoft.Extensions.Options;
using Notifiche.Dispatch.Ledger;
using Notifiche.Dispatch.Telegram.Sending;

namespace Notifiche.Dispatch.Telegram.Integrations.Sandbox;

/// <summary>
/// Sends nothing: appends each message as one JSON line to <c>telegram.jsonl</c> in <see cref="TelegramOptions.SandboxDirectory"/>,
/// so the embedded default and demos show what would have been sent.
/// </summary>
public sealed class SandboxTelegramSender(IOptions<TelegramOptions> options, TimeProvider clock) : ITelegramSender
{
    public const string FileName = "telegram.jsonl";

    private readonly SemaphoreSlim _file = new(1, 1);

    public async Task<DeliveryResult> SendAsync(TelegramMessage message, ProviderHandOff handOff, CancellationToken ct)
    {
        var folder = Path.GetFullPath(options.Value.SandboxDirectory);
        Directory.CreateDirectory(folder);
        var id = $"sandbox-{message.NoticeId:N}";
        var line = JsonSerializer.Serialize(new
        {
            id, notice_id = message.NoticeId, chat_id = message.ChatId, parse_mode = "HTML", text = message.Html, sent_at = clock.GetUtcNow(),
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
