using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace Notifiche.Dispatch.Email;

public enum EmailTransport
{
    Smtp,
    /// <summary>Writes each message as an <c>.eml</c> file (embedded default, demos).</summary>
    PickupDirectory,
}

/// <summary>Bound from the <c>Email</c> configuration section.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    public EmailTransport Transport { get; set; } = EmailTransport.Smtp;

    [Required, EmailAddress]
    public string FromAddress { get; set; } = "noreply@notifiche.example.it";

    [Required]
    public string FromName { get; set; } = "Notifiche";

    /// <summary>Domain of the generated Message-Id (one per notice, which makes duplicates recognisable).</summary>
    [Required]
    public string MessageIdDomain { get; set; } = "notifiche.example.it";

    public string PickupDirectory { get; set; } = "notifiche-data/mail";

    [Required]
    public SmtpOptions Smtp { get; set; } = new();
}

public sealed class SmtpOptions
{
    [Required]
    public string Host { get; set; } = "localhost";

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>
    /// None, Auto, SslOnConnect, StartTls or StartTlsWhenAvailable (MailKit's <see cref="SecureSocketOptions"/>).
    /// StartTls by default (issue 16, point 9): a relay that offers no STARTTLS, or one whose STARTTLS a man in the middle
    /// strips, gets no message — the email fails transiently with <c>SMTP connection: no STARTTLS</c> until the relay
    /// or this setting is fixed. Encryption only when available (StartTlsWhenAvailable, Auto) or none at all (None) must
    /// be chosen explicitly; SslOnConnect is implicit TLS (port 465).
    /// </summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>
    /// Open SMTP connections kept and reused; also the number of messages sent in parallel. Keep it near the endpoint's
    /// prefetch: with fewer connections, prefetched messages wait for one (measured: BENCHMARKS.md).
    /// </summary>
    [Range(1, 64)]
    public int PoolSize { get; set; } = 16;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
