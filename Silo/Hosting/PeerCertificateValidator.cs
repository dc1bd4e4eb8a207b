using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace TwinCity.Silo.Hosting;

/// <summary>
/// Decides whether an Orleans peer (another silo, or a client on the gateway port) may connect: its
/// certificate must chain to the cluster's own authority (never to one the machine happens to trust),
/// be valid now, and, when <see cref="ClusterTlsOptions.PeerNames"/> lists names, carry one of them.
/// </summary>
/// <remarks>
/// Host names are not compared with the address connected to: silos reach each other at the
/// addresses the membership table advertises, usually bare IP addresses, and a gateway's clients do
/// the same. Identity is the issuing authority (a cluster's own, issuing to its silos and trusted
/// clients only) and, where the operator wants it narrower, the listed names.
/// </remarks>
internal sealed class PeerCertificateValidator(X509Certificate2Collection authorities, IReadOnlyCollection<string> peerNames)
{
    /// <summary>For Orleans' <c>TlsOptions.RemoteCertificateValidation</c>: the platform's verdict against the machine's store is replaced by ours.</summary>
    public bool Validate(X509Certificate2 certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        // Chain errors (our authority is not in the machine's store) and name mismatches (peers are
        // reached by address) are judged below; anything else, such as no certificate at all, is final.
        const SslPolicyErrors judgedHere = SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch;
        return (errors & ~judgedHere) == SslPolicyErrors.None && IsTrusted(certificate, presented);
    }

    public bool IsTrusted(X509Certificate2 certificate, X509Chain? presented = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        if (presented is not null)
        {
            // Intermediate authorities the peer sent along; trust still ends at ours.
            foreach (X509ChainElement element in presented.ChainElements)
            {
                if (!element.Certificate.Equals(certificate))
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
        }

        if (!chain.Build(certificate))
        {
            return false;
        }

        return peerNames.Count == 0 || NamesOf(certificate).Any(n => peerNames.Contains(n, StringComparer.OrdinalIgnoreCase));
    }

    private static IEnumerable<string> NamesOf(X509Certificate2 certificate)
    {
        string common = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (!string.IsNullOrEmpty(common))
        {
            yield return common;
        }

        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension names)
            {
                foreach (string dns in names.EnumerateDnsNames())
                {
                    yield return dns;
                }
            }
        }
    }
}
