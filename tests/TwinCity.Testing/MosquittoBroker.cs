using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

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
    public static async Task<MosquittoBroker> StartAsync(bool persistent = false)
    {
        int port = FreePort.Next();
        string directory = Directory.CreateTempSubdirectory("twincity-mosquitto-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // Started as root, mosquitto drops to its own user, which must still write its persistence file here.
            File.SetUnixFileMode(directory, (UnixFileMode)0x1FF);
        }

        string config = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"""
            listener {port} 127.0.0.1
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

        var broker = new MosquittoBroker(directory, port);
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
