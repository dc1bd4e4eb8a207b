namespace TwinCity.Silo.Hosting;

/// <summary>
/// Configuration section "Cluster:Tls": the certificates of mutual TLS between silos and between
/// Orleans clients and a silo's gateway port (docs/cluster.md, "Certificates").
/// </summary>
public sealed class ClusterTlsOptions
{
    /// <summary>This silo's certificate: PEM (with <see cref="Key"/>) or a <c>.pfx</c>/<c>.p12</c> file with its key.</summary>
    public string? Certificate { get; set; }

    /// <summary>PEM private key of <see cref="Certificate"/> (the certificate's own file when unset).</summary>
    public string? Key { get; set; }

    /// <summary>Password of an encrypted PEM key or of the PKCS#12 file.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// PEM (or DER) file of the cluster's certificate authority: a peer (silo or client) is let in only
    /// with a certificate that chains to it. The machine's trusted authorities play no part.
    /// </summary>
    public string? CertificateAuthority { get; set; }

    /// <summary>
    /// Optional: the names (subject common name or DNS subject alternative name) a peer's certificate
    /// must carry, besides being issued by <see cref="CertificateAuthority"/>. Empty: any certificate the
    /// cluster's authority issued is a member.
    /// </summary>
    public IList<string> PeerNames { get; } = [];
}
