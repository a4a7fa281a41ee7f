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

    /// <summary>None, Auto, SslOnConnect, StartTls or StartTlsWhenAvailable (MailKit's <see cref="SecureSocketOptions"/>).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTlsWhenAvailable;

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
