using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using TwinCity.Testing;

namespace TwinCity.Bench.Rig;

/// <summary>
/// mosquitto on a free loopback port with the settings DESIGN.md asks of a deployment: sessions kept
/// for clients that connect with clean start off, and a queue limit raised deliberately (the default
/// of 1,000 queued messages per client drops the rest silently, even at QoS 1).
/// </summary>
public sealed class BenchMosquitto : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/mosquitto";

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _log = new();

    private BenchMosquitto(Process process, string directory, int port, string config)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Config = config;
    }

    public int Port { get; }

    /// <summary>The configuration file's text, for the report.</summary>
    public string Config { get; }

    public int ProcessId => _process.Id;

    public static bool Installed => File.Exists(Binary);

    public static async Task<BenchMosquitto> StartAsync(CancellationToken cancellationToken)
    {
        if (!Installed)
        {
            throw new InvalidOperationException($"mosquitto is not installed at {Binary} (./test.sh installs it: apt-get install mosquitto)");
        }

        int port = FreePort.Next();
        string directory = Directory.CreateTempSubdirectory("twincity-bench-mosquitto-").FullName;
        string config = $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            # Sessions of clients that connect with clean start off (the silo) survive a disconnect, in memory.
            persistence false
            persistent_client_expiration 1h
            # Queue for a subscriber that is behind: raised from 1,000 so that nothing is dropped.
            max_queued_messages 5000000
            max_queued_bytes 0
            # No cap on QoS 1 messages in flight to a client beyond what the client's receive maximum asks.
            max_inflight_messages 0
            set_tcp_nodelay true
            log_dest stdout
            log_type error
            log_type warning
            """;
        string path = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(path, config, cancellationToken);
        var info = new ProcessStartInfo(Binary, ["-c", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto did not start");
        var broker = new BenchMosquitto(process, directory, port, config);
        process.OutputDataReceived += (_, e) => broker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => broker.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                string log = broker.Log;
                await broker.DisposeAsync();
                throw new InvalidOperationException($"mosquitto exited at start: {log}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port, cancellationToken);
                return broker;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        await broker.DisposeAsync();
        throw new TimeoutException("mosquitto did not listen within 10 s");
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

    public double CpuSeconds() => ProcessCpu.Seconds(_process.Id);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
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
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
