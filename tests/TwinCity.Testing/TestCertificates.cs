using System.Diagnostics;
using System.Globalization;

namespace TwinCity.Testing;

/// <summary>
/// A certificate authority of the test's own and the certificates it issues, made with Debian's
/// openssl as an operator would (docs/cluster.md, "Certificates"): EC P-256 keys as unencrypted PEM,
/// leaf certificates for both TLS server and client use, naming <c>localhost</c> and 127.0.0.1.
/// Files live in a temporary folder, readable by the service accounts that mosquitto and PostgreSQL
/// drop to, and go with <see cref="Dispose"/>.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory, string name)
    {
        Directory = directory;
        Name = name;
    }

    /// <summary>The folder holding every file.</summary>
    public string Directory { get; }

    /// <summary>The authority's common name.</summary>
    public string Name { get; }

    /// <summary>The authority's certificate (PEM): what a peer is checked against.</summary>
    public string AuthorityCertificate => Path.Combine(Directory, "ca.crt");

    /// <summary>Creates a new authority named <paramref name="name"/> (say "twincity-test-ca").</summary>
    public static async Task<TestCertificates> CreateAuthorityAsync(string name)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("twincity-certs-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0x1ED); // 0755: mosquitto's and postgres' users read here
        }

        var certificates = new TestCertificates(directory, name);
        await OpenSslAsync(directory,
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return certificates;
    }

    /// <summary>
    /// Issues a certificate for <paramref name="commonName"/> (server and client use; DNS localhost and
    /// IP 127.0.0.1 as alternative names) and returns its PEM certificate and key files.
    /// </summary>
    public async Task<IssuedCertificate> IssueAsync(string commonName)
    {
        string certificate = Path.Combine(Directory, commonName + ".crt");
        string key = Path.Combine(Directory, commonName + ".key");
        string request = Path.Combine(Directory, commonName + ".csr");
        string extensions = Path.Combine(Directory, commonName + ".ext");
        await File.WriteAllTextAsync(extensions, string.Create(CultureInfo.InvariantCulture, $"""
            basicConstraints=CA:FALSE
            keyUsage=critical,digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth,clientAuth
            subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:{commonName}
            """));
        await OpenSslAsync(Directory,
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", request, "-subj", "/CN=" + commonName);
        await OpenSslAsync(Directory,
            "x509", "-req", "-in", request, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", certificate, "-days", "2", "-extfile", extensions);
        if (!OperatingSystem.IsWindows())
        {
            // Test keys only: readable by the brokers' and database's service accounts.
            File.SetUnixFileMode(key, (UnixFileMode)0x1A4); // 0644
        }

        return new IssuedCertificate(certificate, key);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private static async Task OpenSslAsync(string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("openssl did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
