using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;
using Notifiche.Dispatch.Email.Sending;
using Notifiche.Dispatch.Ledger;

namespace Notifiche.Dispatch.Email.Integrations.Pickup;

/// <summary>Writes each message as <c>&lt;notice id&gt;.eml</c> in a folder: the embedded default's sandbox mailbox.</summary>
public sealed class PickupDirectoryEmailSender(IOptions<EmailOptions> options) : IEmailSender
{
    /// <summary>A second send of a notice rewrites the same <c>&lt;notice id&gt;.eml</c>: one email either way.</summary>
    public bool ResendSafe => true;

    public async Task<DeliveryResult> SendAsync(MimeMessage message, ProviderHandOff handOff, CancellationToken ct)
    {
        var folder = Path.GetFullPath(options.Value.PickupDirectory);
        Directory.CreateDirectory(folder);
        var name = (message.MessageId ?? MimeUtils.GenerateMessageId()).Split('.')[0];
        var final = Path.Combine(folder, $"{name}.eml");
        var partial = final + ".tmp";
        if (!await handOff(ct))
        {
            return new DeliveryResult.Transient("PICKUP not handed over");
        }

        await message.WriteToAsync(partial, ct);
        File.Move(partial, final, overwrite: true); // readers never see a half-written file
        return new DeliveryResult.Sent(message.MessageId);
    }
}
