using MimeKit;
using Notifiche.Messaging;

namespace Notifiche.Dispatch.Email.Sending;

/// <summary>Hands a composed message to an email provider (SMTP server, pickup directory).</summary>
public interface IEmailSender
{
    Task<DeliveryResult> SendAsync(MimeMessage message, CancellationToken ct);
}
