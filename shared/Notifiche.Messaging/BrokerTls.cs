using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MassTransit;
using RabbitMQ.Client;

namespace Notifiche.Messaging;

/// <summary>TLS to RabbitMQ (AMQPS), <c>Messaging:RabbitMq:Tls</c>: off by default; the broker's TLS port is usually 5671.</summary>
public sealed class RabbitMqTlsOptions
{
    /// <summary>Connect with TLS; the server's certificate must be valid for <see cref="ServerName"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The name the broker's certificate must carry; by default the host connected to. With several
    /// <see cref="RabbitMqOptions.Hosts"/>, one name for all: a name every node's certificate carries (e.g. the cluster's
    /// Service name).
    /// </summary>
    public string? ServerName { get; set; }

    /// <summary>
    /// PEM file with the certificate authority (or authorities) the broker's certificate must chain to, instead of the
    /// system's trusted roots: a private CA (cert-manager, the cluster's own). Never "accept any certificate".
    /// </summary>
    public string? CaCertificatePath { get; set; }
}

/// <summary>One way to apply <see cref="RabbitMqTlsOptions"/>, for the bus (MassTransit), the topology connection and <c>notifiche-dlq</c>.</summary>
public static class BrokerTls
{
    /// <summary>For MassTransit's host configuration.</summary>
    public static void Apply(IRabbitMqSslConfigurator ssl, RabbitMqTlsOptions tls, string host)
    {
        ssl.ServerName = string.IsNullOrWhiteSpace(tls.ServerName) ? host : tls.ServerName;
        ssl.Protocol = SslProtocols.None; // the operating system's choice: TLS 1.2 and 1.3 today
        if (Validation(tls) is { } validate)
        {
            ssl.CertificateValidationCallback = validate;
        }
    }

    /// <summary>For a RabbitMQ.Client connection (disabled when TLS is off).</summary>
    public static SslOption SslOption(RabbitMqTlsOptions tls, string host)
    {
        var option = new SslOption(string.IsNullOrWhiteSpace(tls.ServerName) ? host : tls.ServerName, enabled: tls.Enabled)
        {
            Version = SslProtocols.None,
        };
        if (tls.Enabled && Validation(tls) is { } validate)
        {
            option.CertificateValidationCallback = validate;
        }

        return option;
    }

    /// <summary>
    /// With <see cref="RabbitMqTlsOptions.CaCertificatePath"/>: the chain must end at one of those authorities and the
    /// name must match. Without: null, the system's validation (trusted roots, name).
    /// </summary>
    public static RemoteCertificateValidationCallback? Validation(RabbitMqTlsOptions tls)
    {
        if (string.IsNullOrWhiteSpace(tls.CaCertificatePath))
        {
            return null;
        }

        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(tls.CaCertificatePath);
        return (_, certificate, chain, errors) =>
        {
            if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            {
                return false;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(authorities);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                custom.ChainPolicy.ExtraStore.AddRange(chain.ChainElements.Select(e => e.Certificate).ToArray());
            }

            return custom.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
    }
}
