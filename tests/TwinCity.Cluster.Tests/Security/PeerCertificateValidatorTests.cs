using System.Security.Cryptography.X509Certificates;
using TwinCity.Gateway.Ingest.Tls;
using TwinCity.Silo.Hosting;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Security;

/// <summary>Which Orleans peers a silo lets in: certificates of the cluster's own authority, optionally with a listed name.</summary>
public sealed class PeerCertificateValidatorTests
{
    [Fact]
    public async Task Only_certificates_of_the_clusters_authority_and_with_a_listed_name_are_trusted()
    {
        using TestCertificates authority = await TestCertificates.CreateAuthorityAsync("validator-ca");
        using TestCertificates stranger = await TestCertificates.CreateAuthorityAsync("validator-stranger-ca");
        using X509Certificate2 member = Load(await authority.IssueAsync("silo-1"));
        using X509Certificate2 foreign = Load(await stranger.IssueAsync("silo-1"));
        X509Certificate2Collection authorities = CertificateFiles.LoadAuthorities(authority.AuthorityCertificate);

        var anyMember = new PeerCertificateValidator(authorities, []);
        Assert.True(anyMember.IsTrusted(member));
        Assert.False(anyMember.IsTrusted(foreign));

        // A look-alike from another authority, same name and all, is refused with a name list too.
        var named = new PeerCertificateValidator(authorities, ["silo-1", "silo-2"]);
        Assert.True(named.IsTrusted(member));
        Assert.False(named.IsTrusted(foreign));

        var otherNames = new PeerCertificateValidator(authorities, ["silo-9"]);
        Assert.False(otherNames.IsTrusted(member));

        // No certificate at all is final, whatever the chain.
        Assert.False(anyMember.Validate(member, null, System.Net.Security.SslPolicyErrors.RemoteCertificateNotAvailable));
        Assert.True(anyMember.Validate(member, null, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors | System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    private static X509Certificate2 Load(IssuedCertificate issued) => CertificateFiles.LoadWithKey(issued.Certificate, issued.Key, null);
}
