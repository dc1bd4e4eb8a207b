using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using TwinCity.Gateway.Ingest.Tls;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>TLS settings of <see cref="MqttTlsOptions"/> applied to an MQTTnet connection.</summary>
public static class BrokerTls
{
    /// <summary>
    /// <paramref name="builder"/> with TLS when <see cref="MqttOptions.Tls"/> asks for it. The broker's
    /// certificate must chain to <see cref="MqttTlsOptions.CertificateAuthority"/> (else the machine's
    /// trusted authorities) and name the host connected to (or <see cref="MqttTlsOptions.ServerName"/>).
    /// Files are read at every connect, so a renewed certificate is used from the next reconnect on.
    /// </summary>
    public static MqttClientOptionsBuilder WithBrokerTls(this MqttClientOptionsBuilder builder, MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        MqttTlsOptions tls = options.Tls;
        if (!tls.IsOn)
        {
            return builder;
        }

        MqttClientTlsOptionsBuilder t = new MqttClientTlsOptionsBuilder()
            .UseTls(true)
            .WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
        if (!string.IsNullOrWhiteSpace(tls.CertificateAuthority))
        {
            t = t.WithTrustChain(CertificateFiles.LoadAuthorities(tls.CertificateAuthority));
        }

        if (!string.IsNullOrWhiteSpace(tls.Certificate))
        {
            X509Certificate2 client = CertificateFiles.LoadWithKey(tls.Certificate, tls.Key, tls.Password);
            t = t.WithClientCertificates([client]);
        }

        if (!string.IsNullOrWhiteSpace(tls.ServerName))
        {
            t = t.WithTargetHost(tls.ServerName);
        }

        return builder.WithTlsOptions(t.Build());
    }

    /// <summary>What is wrong with <paramref name="options"/>'s TLS files, each naming its key; empty when they can be used.</summary>
    public static IReadOnlyList<string> Problems(MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        MqttTlsOptions tls = options.Tls;
        if (!string.IsNullOrWhiteSpace(tls.CertificateAuthority))
        {
            try
            {
                _ = CertificateFiles.LoadAuthorities(tls.CertificateAuthority);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                problems.Add($"Mqtt:Tls:CertificateAuthority cannot be read as a certificate authority: {ex.Message}");
            }
        }

        if (!string.IsNullOrWhiteSpace(tls.Key) && string.IsNullOrWhiteSpace(tls.Certificate))
        {
            problems.Add("Mqtt:Tls:Key is set without Mqtt:Tls:Certificate (the client certificate it belongs to)");
        }

        if (!string.IsNullOrWhiteSpace(tls.Certificate))
        {
            try
            {
                using X509Certificate2 _ = CertificateFiles.LoadWithKey(tls.Certificate, tls.Key, tls.Password);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                problems.Add($"Mqtt:Tls:Certificate (with Mqtt:Tls:Key / Mqtt:Tls:Password) cannot be read as a certificate and its private key: {ex.Message}");
            }
        }

        return problems;
    }
}
