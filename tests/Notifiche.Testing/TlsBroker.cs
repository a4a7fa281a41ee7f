using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Notifiche.Testing.Servers;

namespace Notifiche.Testing;

/// <summary>
/// A throwaway RabbitMQ node (<see cref="LocalRabbitMq"/>) that also listens with TLS on <see cref="TlsPort"/> (AMQPS)
/// and serves its management API over HTTPS on <see cref="ManagementTlsPort"/>, its certificate (for <c>localhost</c>
/// and 127.0.0.1) issued by a CA of its own (<see cref="CaFile"/>, PEM) that no system trusts: a client reaches it only
/// if it is given that CA.
/// </summary>
public sealed class TlsBroker : IAsyncDisposable
{
    private readonly string _directory;

    private TlsBroker(LocalRabbitMq node, string directory, int tlsPort, int managementTlsPort)
    {
        Node = node;
        _directory = directory;
        TlsPort = tlsPort;
        ManagementTlsPort = managementTlsPort;
    }

    public LocalRabbitMq Node { get; }

    public int TlsPort { get; }

    /// <summary>The management API over HTTPS (the plain one stays on <see cref="LocalRabbitMq.ManagementPort"/>).</summary>
    public int ManagementTlsPort { get; }

    public string CaFile => Path.Combine(_directory, "ca.pem");

    public static async Task<TlsBroker> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("notifiche-tls-").FullName;
        WriteCertificates(directory);
        var tlsPort = FreePort.Next();
        var managementTlsPort = FreePort.Next();
        var node = LocalRabbitMq.Create("notifiche-tls", $"""
            listeners.ssl.default = {LocalRabbitMq.Host}:{tlsPort}
            ssl_options.cacertfile = {Path.Combine(directory, "ca.pem")}
            ssl_options.certfile = {Path.Combine(directory, "server.pem")}
            ssl_options.keyfile = {Path.Combine(directory, "server.key")}
            ssl_options.verify = verify_none
            ssl_options.fail_if_no_peer_cert = false
            management.ssl.ip = {LocalRabbitMq.Host}
            management.ssl.port = {managementTlsPort}
            management.ssl.cacertfile = {Path.Combine(directory, "ca.pem")}
            management.ssl.certfile = {Path.Combine(directory, "server.pem")}
            management.ssl.keyfile = {Path.Combine(directory, "server.key")}
            """);
        try
        {
            await node.StartAsync();
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return new TlsBroker(node, directory, tlsPort, managementTlsPort);
    }

    private static void WriteCertificates(string directory)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Notifiche test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var server = request.Create(ca, now.AddDays(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(16));

        File.WriteAllText(Path.Combine(directory, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.pem"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
