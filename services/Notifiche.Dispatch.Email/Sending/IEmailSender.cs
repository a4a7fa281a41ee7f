using MimeKit;
using Notifiche.Dispatch.Ledger;

namespace Notifiche.Dispatch.Email.Sending;

/// <summary>Hands a composed message to an email provider (SMTP server, pickup directory).</summary>
public interface IEmailSender
{
    /// <summary>Delivers the same message once however often it is sent (the pickup folder); real providers do not.</summary>
    bool ResendSafe => false;

    /// <summary>Sends one message, calling <paramref name="handOff"/> right before it can reach the provider.</summary>
    Task<DeliveryResult> SendAsync(MimeMessage message, ProviderHandOff handOff, CancellationToken ct);
}
