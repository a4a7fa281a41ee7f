using System.Collections.Concurrent;
using MailKit.Net.Smtp;
using MimeKit;
using Microsoft.Extensions.Options;

namespace Notifiche.Dispatch.Email.Integrations.Smtp;

/// <summary>
/// Keeps up to <see cref="SmtpOptions.PoolSize"/> connected, authenticated SMTP clients for reuse: connecting and
/// the TLS handshake cost more than sending a message. MailKit has no pool of its own (and an SmtpClient is not
/// thread-safe), so this small one is ours. A client that failed is disposed, never returned.
/// </summary>
public sealed class SmtpConnectionPool : IAsyncDisposable
{
    private readonly SmtpOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<NoticeSmtpClient> _idle = [];

    public SmtpConnectionPool(IOptions<EmailOptions> options)
    {
        _options = options.Value.Smtp;
        _slots = new SemaphoreSlim(_options.PoolSize, _options.PoolSize);
    }

    public async Task<NoticeSmtpClient> RentAsync(CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        try
        {
            while (_idle.TryTake(out var pooled))
            {
                if (pooled.IsConnected)
                {
                    return pooled;
                }

                pooled.Dispose();
            }

            var client = new NoticeSmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
            try
            {
                await client.ConnectAsync(_options.Host, _options.Port, _options.Security, ct);
                if (!string.IsNullOrEmpty(_options.Username))
                {
                    await client.AuthenticateAsync(_options.Username, _options.Password ?? string.Empty, ct);
                }

                return client;
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Gives a client back; <paramref name="healthy"/> false (it failed mid-conversation) disposes it.</summary>
    public void Return(NoticeSmtpClient client, bool healthy)
    {
        if (healthy && client.IsConnected)
        {
            _idle.Add(client);
        }
        else
        {
            client.Dispose();
        }

        _slots.Release();
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var client))
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(quit: true);
            }

            client.Dispose();
        }
    }
}

/// <summary>
/// An SMTP client that knows whether the message in hand got past its envelope: until the server has accepted a
/// recipient, the message cannot have been delivered; after that (DATA, the body, the final reply), a dropped
/// connection leaves open whether the server took it.
/// </summary>
public sealed class NoticeSmtpClient : SmtpClient
{
    public bool RecipientAccepted { get; private set; }

    public async Task SendMessageAsync(MimeMessage message, CancellationToken ct)
    {
        RecipientAccepted = false;
        await base.SendAsync(message, ct);
    }

    protected override void OnRecipientAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        RecipientAccepted = true;
        base.OnRecipientAccepted(message, mailbox, response);
    }
}
