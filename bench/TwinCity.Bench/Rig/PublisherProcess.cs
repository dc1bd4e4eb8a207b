using System.Diagnostics;
using System.Globalization;
using System.Text;
using TwinCity.Bench.Publishing;

namespace TwinCity.Bench.Rig;

/// <summary>The load generator running as its own process (this program's hidden <c>publish</c> sub-command).</summary>
public sealed class PublisherProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private readonly TaskCompletionSource<(long Published, double Seconds, long Failed)> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _published;

    private PublisherProcess(Process process) => _process = process;

    /// <summary>Uplinks the broker has acknowledged so far.</summary>
    public long Published => Interlocked.Read(ref _published);

    public int ProcessId => _process.Id;

    /// <summary>Starts <c>dotnet TwinCity.Bench.dll publish {arguments}</c>.</summary>
    public static PublisherProcess Start(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };

        // The publisher is one sending thread and one receiving thread: the server collector's
        // threads and idle thread-pool workers spinning for work would only take CPU from the silo.
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TwinCity.Bench.dll"));
        start.ArgumentList.Add(PublishCommand.Name);
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var publisher = new PublisherProcess(process);
        process.OutputDataReceived += (_, e) => publisher.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (publisher._errors)
                {
                    publisher._errors.AppendLine(e.Data);
                }
            }
        };
        process.Exited += (_, _) =>
        {
            // Output may still be draining: give the "done" line a moment to arrive.
            _ = Task.Delay(500).ContinueWith(
                _ => publisher._done.TrySetException(new InvalidOperationException($"the publisher exited with code {SafeExitCode(process)} without finishing: {publisher.Errors}")),
                TaskScheduler.Default);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return publisher;
    }

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString().Trim();
            }
        }
    }

    /// <summary>Waits until every uplink was published: the count the broker acknowledged, the seconds it took, and failures.</summary>
    public Task<(long Published, double Seconds, long Failed)> Completion => _done.Task;

    public double CpuSeconds() => ProcessCpu.Seconds(_process.Id);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        string[] parts = line.Split(' ');
        if (parts is ["published", var n] && long.TryParse(n, CultureInfo.InvariantCulture, out long count))
        {
            Interlocked.Exchange(ref _published, count);
        }
        else if (parts is ["done", var total, var seconds, var failed])
        {
            long published = long.Parse(total, CultureInfo.InvariantCulture);
            Interlocked.Exchange(ref _published, published);
            _done.TrySetResult((published, double.Parse(seconds, CultureInfo.InvariantCulture), long.Parse(failed, CultureInfo.InvariantCulture)));
        }
    }

    private static int SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    internal static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        // Started as "dotnet TwinCity.Bench.dll": the same host runs the children.
        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
