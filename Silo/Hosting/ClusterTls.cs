using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Npgsql;
using Orleans.Connections.Security;
using TwinCity.Gateway.Ingest.Mqtt;
using TwinCity.Gateway.Ingest.Tls;

namespace TwinCity.Silo.Hosting;

/// <summary>
/// TLS on every hop of a cluster silo: mutual TLS between silos and on the gateway port (Orleans'
/// own TLS middleware), TLS to the broker, and a PostgreSQL connection that verifies the server.
/// A cluster silo refuses to start without them unless <c>Cluster:Insecure</c> is set.
/// </summary>
internal static class ClusterTls
{
    private const string InsecureHint = "; or set Cluster:Insecure=true to run without it (development on a trusted network only)";

    /// <summary>What stops this silo from starting securely, each problem naming its key; empty when nothing does.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, string? connectionString)
    {
        ClusterSecurityOptions security = Bind(configuration);
        MqttOptions mqtt = configuration.GetSection(MqttOptions.Section).Get<MqttOptions>() ?? new();
        var problems = new List<string>();

        ClusterTlsOptions tls = security.Tls;
        bool orleansTls = !string.IsNullOrWhiteSpace(tls.Certificate) || !string.IsNullOrWhiteSpace(tls.CertificateAuthority);
        if (orleansTls || !security.Insecure)
        {
            if (string.IsNullOrWhiteSpace(tls.Certificate))
            {
                problems.Add("Cluster:Tls:Certificate is required when TwinCity:Mode is Cluster (this silo's certificate for mutual TLS between silos and on the gateway port: PEM with Cluster:Tls:Key, or a .pfx)" + (orleansTls ? string.Empty : InsecureHint));
            }
            else
            {
                try
                {
                    using X509Certificate2 _ = CertificateFiles.LoadWithKey(tls.Certificate, tls.Key, tls.Password);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
                {
                    problems.Add($"Cluster:Tls:Certificate (with Cluster:Tls:Key / Cluster:Tls:Password) cannot be read as a certificate and its private key: {ex.Message}");
                }
            }

            if (string.IsNullOrWhiteSpace(tls.CertificateAuthority))
            {
                problems.Add("Cluster:Tls:CertificateAuthority is required when TwinCity:Mode is Cluster (the authority whose certificates silos and clients must present)" + (orleansTls ? string.Empty : InsecureHint));
            }
            else
            {
                try
                {
                    _ = CertificateFiles.LoadAuthorities(tls.CertificateAuthority);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
                {
                    problems.Add($"Cluster:Tls:CertificateAuthority cannot be read as a certificate authority: {ex.Message}");
                }
            }
        }

        if (!security.Insecure && !mqtt.Tls.IsOn)
        {
            problems.Add("Mqtt:Tls:CertificateAuthority is required when TwinCity:Mode is Cluster (the authority that issued the broker's certificate; Mqtt:Tls:Enabled=true trusts the machine's authorities instead)" + InsecureHint);
        }

        if (!security.Insecure && connectionString is not null && PostgresProblem(connectionString) is string postgres)
        {
            problems.Add(postgres + InsecureHint);
        }

        return problems;
    }

    /// <summary>Why <paramref name="connectionString"/> does not verify the server, or null when it does.</summary>
    private static string? PostgresProblem(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            return null; // reported as an invalid connection string already
        }

        if (builder.SslMode is not (SslMode.VerifyFull or SslMode.VerifyCA))
        {
            return $"ConnectionStrings:{ClusterHosting.ConnectionStringName} must set SSL Mode=VerifyFull (or VerifyCA) when TwinCity:Mode is Cluster, so that the database server's certificate is checked (it sets {builder.SslMode})";
        }

        if (string.IsNullOrWhiteSpace(builder.RootCertificate))
        {
            return $"ConnectionStrings:{ClusterHosting.ConnectionStringName} must name the database server's certificate authority (Root Certificate=/path/ca.pem) when TwinCity:Mode is Cluster";
        }

        return File.Exists(builder.RootCertificate)
            ? null
            : $"ConnectionStrings:{ClusterHosting.ConnectionStringName} names a Root Certificate that does not exist: {builder.RootCertificate}";
    }

    /// <summary>The hops that run without TLS because <c>Cluster:Insecure</c> allowed it (for the start-up warning).</summary>
    public static IReadOnlyList<string> InsecureHops(IConfiguration configuration, string connectionString)
    {
        ClusterSecurityOptions security = Bind(configuration);
        MqttOptions mqtt = configuration.GetSection(MqttOptions.Section).Get<MqttOptions>() ?? new();
        var hops = new List<string>();
        if (string.IsNullOrWhiteSpace(security.Tls.Certificate))
        {
            hops.Add("Orleans silo and gateway ports (Cluster:Tls)");
        }

        if (!mqtt.Tls.IsOn)
        {
            hops.Add("MQTT broker (Mqtt:Tls)");
        }

        if (PostgresProblem(connectionString) is not null)
        {
            hops.Add($"PostgreSQL (ConnectionStrings:{ClusterHosting.ConnectionStringName} SSL Mode / Root Certificate)");
        }

        return hops;
    }

    /// <summary>Mutual TLS on the silo port (both directions) and the gateway port, when a certificate is configured.</summary>
    public static void Configure(ISiloBuilder silo, IConfiguration configuration)
    {
        ClusterTlsOptions tls = Bind(configuration).Tls;
        if (string.IsNullOrWhiteSpace(tls.Certificate) || string.IsNullOrWhiteSpace(tls.CertificateAuthority))
        {
            return; // allowed only by Cluster:Insecure (see Problems)
        }

        X509Certificate2 certificate = CertificateFiles.LoadWithKey(tls.Certificate, tls.Key, tls.Password);
        var peers = new PeerCertificateValidator(CertificateFiles.LoadAuthorities(tls.CertificateAuthority), [.. tls.PeerNames]);
        silo.UseTls(certificate, o =>
        {
            // A peer without a certificate is refused on both ports; this silo always presents its own.
            o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.RemoteCertificateValidation = peers.Validate;
        });
    }

    private static ClusterSecurityOptions Bind(IConfiguration configuration) =>
        configuration.GetSection(ClusterSecurityOptions.Section).Get<ClusterSecurityOptions>() ?? new();
}
