using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Notifiche.Dispatch.Email.Sending;
using Notifiche.Dispatch.Ledger;

namespace Notifiche.Dispatch.Email.Integrations.Smtp;

/// <summary>
/// Sends through an SMTP server on a pooled connection, handing the message over only once a connected client is in
/// hand. A 5xx reply is permanent (e.g. 550 mailbox unavailable); a 4xx reply, a refused connection, and a dropped
/// connection or timeout before the server accepted a recipient are transient; a dropped connection or timeout after
/// that (the server may have taken the message) is unknown.
/// </summary>
public sealed class SmtpEmailSender(SmtpConnectionPool pool) : IEmailSender
{
    public async Task<DeliveryResult> SendAsync(MimeMessage message, ProviderHandOff handOff, CancellationToken ct)
    {
        NoticeSmtpClient client;
        try
        {
            client = await pool.RentAsync(ct);
        }
        catch (Exception e) when (Classify(e) is { } result)
        {
            return result;
        }

        var healthy = false;
        try
        {
            if (!await handOff(ct))
            {
                healthy = true;
                return new DeliveryResult.Transient("SMTP not handed over");
            }

            await client.SendMessageAsync(message, ct);
            healthy = true;
            return new DeliveryResult.Sent(message.MessageId);
        }
        catch (SmtpCommandException e)
        {
            // The server refused this message but the conversation is still in a known state: keep the connection.
            healthy = client.IsConnected;
            return Classify(e)!;
        }
        catch (OperationCanceledException) when (!client.RecipientAccepted)
        {
            // Stopped before the envelope was accepted: nothing can have been delivered, a redelivery may send it.
            return new DeliveryResult.Transient("SMTP cancelled before the envelope");
        }
        catch (Exception e) when (Classify(e) is { } result)
        {
            return client.RecipientAccepted ? new DeliveryResult.Unknown(((DeliveryResult.Transient)result).Reason) : result;
        }
        finally
        {
            pool.Return(client, healthy);
        }
    }

    // Reasons carry status codes and exception types only: server texts often quote the recipient's address.
    private static DeliveryResult? Classify(Exception e) => e switch
    {
        SmtpCommandException c when (int)c.StatusCode >= 500 =>
            new DeliveryResult.Permanent($"SMTP {(int)c.StatusCode} {c.ErrorCode}"),
        SmtpCommandException c => new DeliveryResult.Transient($"SMTP {(int)c.StatusCode} {c.ErrorCode}"),
        SmtpProtocolException or ServiceNotConnectedException or SocketException or IOException or TimeoutException
            or AuthenticationException or SslHandshakeException => new DeliveryResult.Transient($"SMTP connection: {e.GetType().Name}"),
        // MailKit's answer when Email:Smtp:Security is StartTls and the server does not offer it: nothing was sent, and
        // nothing is sent in clear; replayable once the relay offers TLS (or the operator chooses otherwise).
        NotSupportedException => new DeliveryResult.Transient("SMTP connection: no STARTTLS"),
        _ => null,
    };
}
