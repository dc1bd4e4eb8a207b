using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MQTTnet;

namespace TwinCity.Testing;

/// <summary>
/// A real mosquitto broker (Debian's package) on a free loopback port, started for a test run and
/// stopped after it. Its queue limit is raised deliberately, as DESIGN.md asks of a deployment:
/// mosquitto's default of 1,000 queued messages per client silently drops the rest.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private Process _process;
    private readonly string _directory;
    private readonly StringBuilder _log = new();

    private MosquittoBroker(string directory, int port)
    {
        _process = null!;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The authority of a TLS broker's certificates (null: plain MQTT).</summary>
    public TestCertificates? Authority { get; private init; }

    /// <summary>A client certificate a TLS broker accepts, for the test's own clients.</summary>
    public IssuedCertificate? ClientCertificate { get; private init; }

    /// <summary>TLS settings for a test client of this broker (null for a plain broker): the test authority trusted, the test client's certificate presented.</summary>
    public MqttClientTlsOptions? ClientTls() => Authority is null || ClientCertificate is null
        ? null
        : new MqttClientTlsOptionsBuilder()
            .UseTls(true)
            .WithTrustChain(LoadPem(Authority.AuthorityCertificate))
            .WithClientCertificates([PemWithKey(ClientCertificate)])
            .Build();

    private static X509Certificate2Collection LoadPem(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        return collection;
    }

    private static X509Certificate2 PemWithKey(IssuedCertificate issued)
    {
        using X509Certificate2 pem = X509Certificate2.CreateFromPemFile(issued.Certificate, issued.Key);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a broker. A <paramref name="persistent"/> one keeps its sessions and queued messages in
    /// its folder across <see cref="RestartAsync"/>, as a production broker with
    /// <c>persistence true</c> does.
    /// </summary>
    /// <param name="tls">
    /// When given, the broker's only listener takes TLS: its certificate issued by this authority, and
    /// every client must present one issued by it too (<see cref="ClientTls"/> is such a client's).
    /// </param>
    public static async Task<MosquittoBroker> StartAsync(bool persistent = false, TestCertificates? tls = null)
    {
        int port = FreePort.Next();
        string directory = Directory.CreateTempSubdirectory("twincity-mosquitto-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // Started as root, mosquitto drops to its own user, which must still write its persistence file here.
            File.SetUnixFileMode(directory, (UnixFileMode)0x1FF);
        }

        string listener = string.Empty;
        IssuedCertificate? client = null;
        if (tls is not null)
        {
            IssuedCertificate server = await tls.IssueAsync("mosquitto");
            client = await tls.IssueAsync("test-mqtt-client");
            listener = $"""
                cafile {tls.AuthorityCertificate}
                certfile {server.Certificate}
                keyfile {server.Key}
                require_certificate true
                tls_version tlsv1.2
                """;
        }

        string config = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"""
            listener {port} 127.0.0.1
            {listener}
            allow_anonymous true
            persistence {(persistent ? "true" : "false")}
            persistence_location {directory}/
            autosave_interval 1
            max_queued_messages 1000000
            max_inflight_messages 0
            log_dest stdout
            log_type error
            log_type warning
            """);

        var broker = new MosquittoBroker(directory, port) { Authority = tls, ClientCertificate = client };
        broker._process = broker.Launch(config);
        await broker.WaitListeningAsync();
        return broker;
    }

    /// <summary>
    /// Stops the broker as an operator would (SIGTERM: it writes its persistence file and closes
    /// every connection), stays down for <paramref name="downtime"/>, and starts it again on the
    /// same port and folder.
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        await StopAsync();
        await Task.Delay(downtime);
        await StartAgainAsync();
    }

    /// <summary>Stops the broker as an operator would (SIGTERM), keeping its folder for <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _ = SendSigTerm(_process.Id);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(timeout.Token);
        }

        Append($"[stopped with exit code {_process.ExitCode}]");
    }

    /// <summary>Starts a stopped broker again on the same port and folder.</summary>
    public async Task StartAgainAsync()
    {
        _process.Dispose();
        _process = Launch(Path.Combine(_directory, "mosquitto.conf"));
        await WaitListeningAsync();
        Append("[started again]");
    }

    private Process Launch(string config)
    {
        string binary = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
        var info = new ProcessStartInfo(binary, ["-c", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("mosquitto is not installed; ./test.sh installs it (apt-get install mosquitto)", ex);
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitListeningAsync()
    {
        // mosquitto listens within milliseconds on its own, but a busy machine may start it slowly.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode}: {Log}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        await DisposeAsync();
        throw new TimeoutException("mosquitto did not listen within 30 s: " + Log);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static int SendSigTerm(int pid) => SendSignal(pid, 15);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
