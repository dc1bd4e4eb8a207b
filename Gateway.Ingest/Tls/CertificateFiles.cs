using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TwinCity.Gateway.Ingest.Tls;

/// <summary>
/// Certificates read from files as an operator makes them with openssl: a certificate and its key as
/// PEM (or one PKCS#12 file, <c>.pfx</c>/<c>.p12</c>), and certificate authorities as PEM (one or
/// more in one file) or DER. Paths and passwords come from configuration; a password is never logged.
/// </summary>
public static class CertificateFiles
{
    /// <summary>
    /// The certificate at <paramref name="certificatePath"/> with its private key: from
    /// <paramref name="keyPath"/> (PEM; the certificate's own file when unset), decrypted with
    /// <paramref name="password"/> when one is given, or from the PKCS#12 file itself.
    /// </summary>
    /// <exception cref="CryptographicException">A file cannot be read as a certificate or key, or the key does not match.</exception>
    public static X509Certificate2 LoadWithKey(string certificatePath, string? keyPath, string? password)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificatePath);
        if (IsPkcs12(certificatePath))
        {
            X509Certificate2 bundled = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
            if (!bundled.HasPrivateKey)
            {
                bundled.Dispose();
                throw new CryptographicException($"{certificatePath} holds no private key");
            }

            return bundled;
        }

        string key = string.IsNullOrWhiteSpace(keyPath) ? certificatePath : keyPath;
        using X509Certificate2 pem = string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPemFile(certificatePath, key)
            : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, key);

        // A key read from PEM lives only in this object; exported and read back as PKCS#12 the
        // certificate carries its key wherever TLS takes it (SslStream on every platform needs that).
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The certificate authorities in <paramref name="path"/>: every certificate of a PEM file, or one DER certificate.</summary>
    /// <exception cref="CryptographicException">The file holds no certificate.</exception>
    public static X509Certificate2Collection LoadAuthorities(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var authorities = new X509Certificate2Collection();
        string text = File.ReadAllText(path);
        if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            authorities.ImportFromPem(text);
        }
        else
        {
            authorities.Add(X509CertificateLoader.LoadCertificateFromFile(path));
        }

        if (authorities.Count == 0)
        {
            throw new CryptographicException($"{path} holds no certificate");
        }

        return authorities;
    }

    private static bool IsPkcs12(string path) =>
        path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
}
