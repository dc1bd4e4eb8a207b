namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// Configuration section "Mqtt:Tls": TLS to an outside broker, for every connection a silo makes to
/// it (ingest, the takeover of a dead silo's session, downlinks, the simulator).
/// </summary>
public sealed class MqttTlsOptions
{
    /// <summary>
    /// TLS with the broker's certificate checked against the machine's trusted authorities. Implied by
    /// <see cref="CertificateAuthority"/>, which trusts that authority only.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>PEM (or DER) file of the authority that issued the broker's certificate; the only one trusted for it.</summary>
    public string? CertificateAuthority { get; set; }

    /// <summary>Optional client certificate (PEM, or a <c>.pfx</c>/<c>.p12</c> file) for brokers that require one.</summary>
    public string? Certificate { get; set; }

    /// <summary>PEM private key of <see cref="Certificate"/> (the certificate's own file when unset).</summary>
    public string? Key { get; set; }

    /// <summary>Password of an encrypted PEM key or of the PKCS#12 file.</summary>
    public string? Password { get; set; }

    /// <summary>The name the broker's certificate must carry, when it is not <c>Mqtt:Host</c> (for example a host reached by address).</summary>
    public string? ServerName { get; set; }

    /// <summary>Whether connections use TLS.</summary>
    public bool IsOn => Enabled || !string.IsNullOrWhiteSpace(CertificateAuthority) || !string.IsNullOrWhiteSpace(Certificate);
}
